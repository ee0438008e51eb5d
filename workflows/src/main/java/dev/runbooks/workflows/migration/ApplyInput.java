package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Apply these pending versions to the target, one at a time, in this order.
 *
 * @param versions oldest first; those applied already are skipped
 */
public record ApplyInput(
    String target,
    List<String> versions,
    Duration lockTimeout,
    Duration statementTimeout,
    String idempotencyKey) {
  public ApplyInput {
    Objects.requireNonNull(target, "target");
    versions = List.copyOf(versions);
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
