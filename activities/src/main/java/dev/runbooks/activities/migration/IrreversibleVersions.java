package dev.runbooks.activities.migration;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The versions a target's configuration declares irreversible ({@code migrations.irreversible}):
 * {@code "1.8"} is that version, {@code "1.9+"} that version and every later one. Each must name a
 * script in the directory, or the list is a typo that would leave a version without its warning.
 */
final class IrreversibleVersions {
  private final List<MigrationVersion> exact;
  private final MigrationVersion from;

  private IrreversibleVersions(List<MigrationVersion> exact, MigrationVersion from) {
    this.exact = List.copyOf(exact);
    this.from = from;
  }

  /**
   * @param versions normalised versions of the scripts in {@code directory}
   * @throws IllegalArgumentException naming an entry that is no version or has no script
   */
  static IrreversibleVersions of(
      List<String> entries, Collection<String> versions, Path directory) {
    List<MigrationVersion> exact = new ArrayList<>();
    MigrationVersion from = null;
    for (String entry : entries) {
      String written = entry == null ? "" : entry.strip();
      boolean onwards = written.endsWith("+");
      String v = onwards ? written.substring(0, written.length() - 1) : written;
      String normalised;
      try {
        normalised = MigrationScripts.normalise(v.startsWith("V") ? v.substring(1) : v);
      } catch (RuntimeException e) {
        normalised = null;
      }
      if (normalised == null || !versions.contains(normalised)) {
        throw new IllegalArgumentException(
            "migrations.irreversible lists \""
                + written
                + "\", but there is no migration V"
                + v
                + "__*.sql in "
                + directory
                + "; the versions there are "
                + (versions.isEmpty()
                    ? "none"
                    : String.join(
                        ", ",
                        versions.stream()
                            .sorted(Comparator.comparing(MigrationVersion::fromVersion))
                            .toList()))
                + ". List existing versions, such as \"1.8\" (that version) or \"1.9+\" (it and"
                + " every later one)");
      }
      MigrationVersion parsed = MigrationVersion.fromVersion(normalised);
      if (!onwards) {
        exact.add(parsed);
      } else if (from == null || from.isNewerThan(parsed)) {
        from = parsed;
      }
    }
    return new IrreversibleVersions(exact, from);
  }

  boolean covers(String version) {
    MigrationVersion v = MigrationVersion.fromVersion(version);
    return exact.contains(v) || (from != null && v.compareTo(from) >= 0);
  }
}
