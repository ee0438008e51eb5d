package dev.runbooks.workflows.backup;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** The verdict a drill records beside the backup's manifest. */
public record DrillVerdictInput(
    String target,
    String backupId,
    boolean passed,
    List<String> differences,
    Duration restoreDuration,
    String drillWorkflowId) {
  public DrillVerdictInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(backupId, "backupId");
    differences = List.copyOf(differences);
    Objects.requireNonNull(drillWorkflowId, "drillWorkflowId");
  }
}
