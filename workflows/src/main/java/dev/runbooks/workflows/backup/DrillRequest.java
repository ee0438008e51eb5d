package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/**
 * @param backupId the backup to drill; null drills the target's newest complete backup
 */
public record DrillRequest(RunbookRequest runbook, String backupId) {
  public DrillRequest {
    Objects.requireNonNull(runbook, "runbook");
  }
}
