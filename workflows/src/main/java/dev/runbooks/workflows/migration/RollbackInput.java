package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Undo what this run applied.
 *
 * @param versions the versions this run may have applied, in the order it applied them; those the
 *     schema history shows applied are undone, newest first
 * @param before the schema before the run; the rollback must end with it
 * @param backupId the verified pre-migration backup to name when the rollback cannot finish
 */
public record RollbackInput(
    String target,
    List<String> versions,
    SchemaSnapshot before,
    String backupId,
    Duration lockTimeout,
    Duration statementTimeout,
    String idempotencyKey) {
  public RollbackInput {
    Objects.requireNonNull(target, "target");
    versions = List.copyOf(versions);
    Objects.requireNonNull(before, "before");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
