package dev.runbooks.activities.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * The outcome of a restore drill, stored beside the backup it drilled ({@code verdict.json}) so
 * that listing backups shows which ones are proven restorable.
 *
 * @param differences what did not match between the restored copy and the manifest; empty when the
 *     drill passed
 * @param drillWorkflowId the workflow that ran the drill, to find its history
 * @param restored whether the verdict came from a restore of the backup. Every verdict written now
 *     does; a failed verdict of an older version without this field may have come from a key or
 *     configuration error instead, and retention never deletes on its word.
 */
public record DrillVerdict(
    String backupId,
    boolean passed,
    List<String> differences,
    Duration restoreDuration,
    Instant drilledAt,
    String drillWorkflowId,
    boolean restored) {
  public DrillVerdict {
    Objects.requireNonNull(backupId, "backupId");
    differences = List.copyOf(Objects.requireNonNull(differences, "differences"));
    Objects.requireNonNull(restoreDuration, "restoreDuration");
    Objects.requireNonNull(drilledAt, "drilledAt");
    Objects.requireNonNull(drillWorkflowId, "drillWorkflowId");
  }

  /** A verdict from a drill that restored the backup. */
  public DrillVerdict(
      String backupId,
      boolean passed,
      List<String> differences,
      Duration restoreDuration,
      Instant drilledAt,
      String drillWorkflowId) {
    this(backupId, passed, differences, restoreDuration, drilledAt, drillWorkflowId, true);
  }

  /** A failed verdict that may not have come from a restore: its backup is never deleted. */
  boolean unproven() {
    return !passed && !restored;
  }
}
