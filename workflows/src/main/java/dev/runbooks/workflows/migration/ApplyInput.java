package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Apply these pending versions to the target, one at a time, in this order.
 *
 * @param versions oldest first; those applied already are skipped
 * @param lockRetries how many more times a version that gave up waiting for its lock is tried; 0 in
 *     runs started before the lock guard retried
 * @param lockBudget how long, from its first attempt, a version may keep trying for its lock
 */
public record ApplyInput(
    String target,
    List<String> versions,
    Duration lockTimeout,
    Duration statementTimeout,
    String idempotencyKey,
    int lockRetries,
    Duration lockBudget) {
  public ApplyInput {
    Objects.requireNonNull(target, "target");
    versions = List.copyOf(versions);
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
    lockBudget = lockBudget == null ? Duration.ZERO : lockBudget;
  }

  /** Without retries: the first lock_timeout fails the version. */
  public ApplyInput(
      String target,
      List<String> versions,
      Duration lockTimeout,
      Duration statementTimeout,
      String idempotencyKey) {
    this(target, versions, lockTimeout, statementTimeout, idempotencyKey, 0, Duration.ZERO);
  }
}
