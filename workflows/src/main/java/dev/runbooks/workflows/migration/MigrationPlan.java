package dev.runbooks.workflows.migration;

import java.util.List;
import java.util.Objects;

/**
 * What a migration run will do, as validation found it.
 *
 * @param currentVersion the newest applied version; null when none is applied
 * @param warnings what the approver should know: every standing lint finding as a line, stray down
 *     scripts
 * @param production the target's configuration says production: no {@code --auto-approve}
 * @param lint the lint's findings, suppressed ones included with their reason; empty in plans made
 *     before the lint had rule ids
 */
public record MigrationPlan(
    String target,
    String currentVersion,
    List<PendingMigration> pending,
    List<String> warnings,
    boolean production,
    List<LintFinding> lint) {
  public MigrationPlan {
    Objects.requireNonNull(target, "target");
    pending = List.copyOf(pending);
    warnings = List.copyOf(warnings);
    lint = lint == null ? List.of() : List.copyOf(lint);
  }

  public MigrationPlan(
      String target,
      String currentVersion,
      List<PendingMigration> pending,
      List<String> warnings,
      boolean production) {
    this(target, currentVersion, pending, warnings, production, List.of());
  }

  public List<String> versions() {
    return pending.stream().map(PendingMigration::version).toList();
  }

  public boolean reversible() {
    return pending.stream().noneMatch(PendingMigration::irreversible);
  }

  /** The newest pending version, or the current one when nothing is pending. */
  public String finalVersion() {
    return pending.isEmpty() ? currentVersion : pending.get(pending.size() - 1).version();
  }
}
