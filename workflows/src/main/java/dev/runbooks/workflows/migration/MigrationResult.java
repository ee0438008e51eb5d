package dev.runbooks.workflows.migration;

import java.util.List;
import java.util.Objects;

/**
 * @param applied the versions applied, in order, with their durations; empty when nothing was
 *     pending
 * @param rehearsal null when nothing was pending
 * @param backupId the verified pre-migration backup; null when nothing was pending
 * @param rollback what happened to rollback: "not needed" on success
 */
public record MigrationResult(
    String target,
    String fromVersion,
    String toVersion,
    List<VersionTiming> applied,
    MigrationPlan plan,
    RehearsalResult rehearsal,
    String backupId,
    String rollback) {
  public MigrationResult {
    Objects.requireNonNull(target, "target");
    applied = List.copyOf(applied);
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(rollback, "rollback");
  }

  /** Nothing was pending: the target stays at the plan's current version, untouched. */
  public static MigrationResult nothingPending(MigrationPlan plan) {
    return new MigrationResult(
        plan.target(),
        plan.currentVersion(),
        plan.currentVersion(),
        List.of(),
        plan,
        null,
        null,
        "not needed");
  }

  /** The plan's versions were applied after this rehearsal and pre-migration backup. */
  public static MigrationResult applied(
      MigrationPlan plan, List<VersionTiming> applied, RehearsalResult rehearsal, String backupId) {
    return new MigrationResult(
        plan.target(),
        plan.currentVersion(),
        plan.finalVersion(),
        applied,
        plan,
        rehearsal,
        backupId,
        "not needed");
  }
}
