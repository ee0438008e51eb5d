package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * @param to the version to migrate to; null migrates to the newest
 * @param autoApprove skip the approval gate; refused (BAD_INPUT) for production targets
 * @param lockTimeout {@code lock_timeout} of every migration and down script, set again before each
 *     version
 * @param statementTimeout {@code statement_timeout} of every migration and down script
 * @param lockRetries how many more times a version that gave up waiting for its lock is tried (0 in
 *     runs started before the lock guard retried)
 * @param lockBudget how long, from its first attempt, a version may keep trying for its lock
 * @param acceptDrift the operator's reason to apply over a schema that drifted from the one the
 *     last apply left; null refuses a drifted schema
 */
public record MigrationRequest(
    RunbookRequest runbook,
    String to,
    boolean autoApprove,
    Duration lockTimeout,
    Duration statementTimeout,
    int lockRetries,
    Duration lockBudget,
    String acceptDrift) {
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(30);
  public static final int DEFAULT_LOCK_RETRIES = 5;
  public static final Duration DEFAULT_LOCK_BUDGET = Duration.ofMinutes(2);

  public MigrationRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    lockBudget = lockBudget == null ? Duration.ZERO : lockBudget;
  }

  /** With the default lock retries and budget, and no drift accepted. */
  public MigrationRequest(
      RunbookRequest runbook,
      String to,
      boolean autoApprove,
      Duration lockTimeout,
      Duration statementTimeout) {
    this(
        runbook,
        to,
        autoApprove,
        lockTimeout,
        statementTimeout,
        DEFAULT_LOCK_RETRIES,
        DEFAULT_LOCK_BUDGET,
        null);
  }
}
