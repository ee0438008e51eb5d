package dev.runbooks.workflows.backup;

import java.util.Objects;

/** Which backup of which target an activity works on, and the call's idempotency key. */
public record BackupInput(String target, String backupId, String idempotencyKey) {
  public BackupInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
