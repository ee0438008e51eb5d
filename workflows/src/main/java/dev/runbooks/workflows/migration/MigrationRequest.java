package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * @param to the version to migrate to; null migrates to the newest
 * @param autoApprove skip the approval gate; refused (BAD_INPUT) for production targets
 * @param lockTimeout {@code lock_timeout} of every migration and down script
 * @param statementTimeout {@code statement_timeout} of every migration and down script
 */
public record MigrationRequest(
    RunbookRequest runbook,
    String to,
    boolean autoApprove,
    Duration lockTimeout,
    Duration statementTimeout) {
  public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofSeconds(5);
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(30);

  public MigrationRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
  }
}
