package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/**
 * @param verify run the restore drill on the new backup (default on; {@code --no-verify} skips it)
 * @param retention what to prune after the backup; null applies the target's configured policy
 */
public record BackupRequest(RunbookRequest runbook, boolean verify, RetentionPolicy retention) {
  public BackupRequest {
    Objects.requireNonNull(runbook, "runbook");
  }
}
