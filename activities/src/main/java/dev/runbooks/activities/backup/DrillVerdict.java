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
 */
public record DrillVerdict(
    String backupId,
    boolean passed,
    List<String> differences,
    Duration restoreDuration,
    Instant drilledAt,
    String drillWorkflowId) {
  public DrillVerdict {
    Objects.requireNonNull(backupId, "backupId");
    differences = List.copyOf(Objects.requireNonNull(differences, "differences"));
    Objects.requireNonNull(restoreDuration, "restoreDuration");
    Objects.requireNonNull(drilledAt, "drilledAt");
    Objects.requireNonNull(drillWorkflowId, "drillWorkflowId");
  }
}
