package dev.runbooks.workflows.backup;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/** A restore drill's verdict: whether the backup restored and matched its manifest. */
public record DrillResult(
    String backupId, boolean passed, List<String> differences, Duration restoreDuration) {
  public DrillResult {
    Objects.requireNonNull(backupId, "backupId");
    differences = List.copyOf(differences);
  }
}
