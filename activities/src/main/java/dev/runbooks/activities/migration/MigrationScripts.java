package dev.runbooks.activities.migration;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.flywaydb.core.api.MigrationVersion;

/**
 * A target's migrations directory as the runbook reads it: Flyway's {@code
 * V<version>__<description>.sql} at the top level, the runbook's own down scripts {@code
 * U<version>__<description>.sql} beside them (Flyway OSS ignores those), and optional {@code
 * verify/V<version>__<description>.sql} scripts that return one boolean row.
 *
 * <p>A migration that cannot be undone says so in its header (the comment lines before the first
 * statement) with {@value #IRREVERSIBLE_MARKER}, optionally followed by a reason: {@code --
 * runbooks: irreversible: drops the legacy audit table}. It then needs no down script, the plan
 * says so, and a rollback after it means restoring the pre-migration backup.
 */
public final class MigrationScripts {
  /** The header comment that marks a migration irreversible. */
  public static final String IRREVERSIBLE_MARKER = "-- runbooks: irreversible";

  private static final Pattern SCRIPT =
      Pattern.compile("([VU])(\\d+(?:[._]\\d+)*)__(.+)\\.sql", Pattern.CASE_INSENSITIVE);
  private static final Pattern MARKER =
      Pattern.compile("^--\\s*runbooks:\\s*irreversible\\b.*", Pattern.CASE_INSENSITIVE);

  /** One versioned migration on disk with its companions. */
  public record Script(
      String version, String description, Path up, Path down, Path verify, boolean irreversible) {
    public String upName() {
      return up.getFileName().toString();
    }

    public String downName() {
      return down == null ? null : down.getFileName().toString();
    }

    public String verifyName() {
      return verify == null ? null : "verify/" + verify.getFileName();
    }
  }

  private final Path directory;
  private final Map<MigrationVersion, Script> byVersion;
  private final List<String> strayDowns;

  private MigrationScripts(
      Path directory, Map<MigrationVersion, Script> byVersion, List<String> strayDowns) {
    this.directory = directory;
    this.byVersion = byVersion;
    this.strayDowns = List.copyOf(strayDowns);
  }

  /** Reads {@code directory}; IOException when it cannot be listed. */
  public static MigrationScripts read(Path directory) throws IOException {
    return read(directory, List.of());
  }

  /**
   * Reads {@code directory}, with the versions the configuration declares irreversible ({@code
   * migrations.irreversible}: {@code "1.8"} that version, {@code "1.9+"} that version and every
   * later one) as well as those whose header carries the marker: a third-party set runs unchanged.
   *
   * @throws IOException when the directory cannot be listed
   * @throws IllegalArgumentException when {@code irreversible} names a version that has no script
   */
  public static MigrationScripts read(Path directory, List<String> irreversible)
      throws IOException {
    Map<String, Path> ups = new TreeMap<>();
    Map<String, Path> downs = new TreeMap<>();
    Map<String, String> descriptions = new TreeMap<>();
    for (Path file : list(directory)) {
      Matcher m = SCRIPT.matcher(file.getFileName().toString());
      if (!m.matches()) {
        continue;
      }
      String version = normalise(m.group(2));
      if (m.group(1).equalsIgnoreCase("V")) {
        ups.put(version, file);
        descriptions.put(version, m.group(3).replace('_', ' '));
      } else {
        downs.put(version, file);
      }
    }
    Map<String, Path> verifies = new TreeMap<>();
    Path verifyDir = directory.resolve("verify");
    if (Files.isDirectory(verifyDir)) {
      for (Path file : list(verifyDir)) {
        Matcher m = SCRIPT.matcher(file.getFileName().toString());
        if (m.matches() && m.group(1).equalsIgnoreCase("V")) {
          verifies.put(normalise(m.group(2)), file);
        }
      }
    }
    IrreversibleVersions declared = IrreversibleVersions.of(irreversible, ups.keySet(), directory);
    Map<MigrationVersion, Script> byVersion = new TreeMap<>();
    for (Map.Entry<String, Path> e : ups.entrySet()) {
      String v = e.getKey();
      byVersion.put(
          MigrationVersion.fromVersion(v),
          new Script(
              v,
              descriptions.get(v),
              e.getValue(),
              downs.get(v),
              verifies.get(v),
              declared.covers(v) || irreversible(e.getValue())));
    }
    List<String> stray = new ArrayList<>();
    for (Map.Entry<String, Path> e : downs.entrySet()) {
      if (!ups.containsKey(e.getKey())) {
        stray.add(e.getValue().getFileName().toString());
      }
    }
    return new MigrationScripts(directory, byVersion, stray);
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .filter(Files::isRegularFile)
          .sorted(Comparator.comparing(Path::toString))
          .toList();
    }
  }

  /** Flyway's spelling of a version: {@code 1_1} and {@code 1.1} are both {@code 1.1}. */
  public static String normalise(String version) {
    return MigrationVersion.fromVersion(version.replace('_', '.')).getVersion();
  }

  /**
   * Whether the header of {@code up} (the comments before its first statement, {@code --} lines and
   * {@code /* *}{@code /} blocks alike) carries the irreversible marker.
   */
  static boolean irreversible(Path up) throws IOException {
    return markedIrreversible(Files.readString(up, StandardCharsets.UTF_8));
  }

  static boolean markedIrreversible(String sql) {
    int i = 0;
    int n = sql.length();
    while (i < n) {
      char c = sql.charAt(i);
      if (Character.isWhitespace(c) || c == '\uFEFF') {
        i++;
      } else if (sql.startsWith("--", i)) {
        int end = sql.indexOf('\n', i);
        end = end < 0 ? n : end;
        if (MARKER.matcher(sql.substring(i, end).strip()).matches()) {
          return true;
        }
        i = end;
      } else if (sql.startsWith("/*", i)) {
        i = SqlStatements.afterBlockComment(sql, i);
      } else {
        return false;
      }
    }
    return false;
  }

  public Path directory() {
    return directory;
  }

  /** Every versioned migration, oldest first. */
  public List<Script> all() {
    return List.copyOf(byVersion.values());
  }

  public Optional<Script> get(String version) {
    return Optional.ofNullable(byVersion.get(MigrationVersion.fromVersion(normalise(version))));
  }

  /** Down scripts without their up script: probably misnamed. */
  public List<String> strayDowns() {
    return strayDowns;
  }

  /** Migrations that have neither a down script nor the irreversible marker. */
  public static List<String> missingDowns(List<Script> scripts) {
    List<String> missing = new ArrayList<>();
    for (Script s : scripts) {
      if (s.down() == null && !s.irreversible()) {
        missing.add(s.upName() + " (expected " + downName(s.upName()) + ")");
      }
    }
    return missing;
  }

  /**
   * The down script's name for an up script's: the same version as written ({@code V1_1__x.sql} ->
   * {@code U1_1__x.sql}, {@code V2.0.1__y.sql} -> {@code U2.0.1__y.sql}).
   */
  static String downName(String upName) {
    Matcher m = SCRIPT.matcher(upName);
    if (!m.matches()) {
      return "U" + upName.substring(1);
    }
    return (Character.isLowerCase(upName.charAt(0)) ? "u" : "U")
        + m.group(2)
        + "__"
        + m.group(3)
        + upName.substring(upName.length() - 4);
  }

  static String text(Path file) throws IOException {
    return Files.readString(file, StandardCharsets.UTF_8);
  }

  static String lower(String s) {
    return s.toLowerCase(Locale.ROOT);
  }
}
