package dev.runbooks.workflows.migration;

import java.util.List;
import java.util.Objects;

/**
 * What a migration run will do, as validation found it.
 *
 * @param currentVersion the newest applied version; null when none is applied
 * @param warnings lint findings: lock-heavy statements, scripts without lock_timeout
 * @param production the target's configuration says production: no {@code --auto-approve}
 */
public record MigrationPlan(
    String target,
    String currentVersion,
    List<PendingMigration> pending,
    List<String> warnings,
    boolean production) {
  public MigrationPlan {
    Objects.requireNonNull(target, "target");
    pending = List.copyOf(pending);
    warnings = List.copyOf(warnings);
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
