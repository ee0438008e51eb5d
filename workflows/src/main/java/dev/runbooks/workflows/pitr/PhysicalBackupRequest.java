package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/**
 * @param retention what to prune after the backup; null applies the target's configured policy
 */
public record PhysicalBackupRequest(RunbookRequest runbook, RetentionPolicy retention) {
  public PhysicalBackupRequest {
    Objects.requireNonNull(runbook, "runbook");
  }
}
