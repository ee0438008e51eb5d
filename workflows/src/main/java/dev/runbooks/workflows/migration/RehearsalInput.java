package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * @param scratch the copy of the target to rehearse in (restored from a backup, or schema only)
 * @param source what the copy was made from, for the plan: "backup X" or "schema only"
 */
public record RehearsalInput(
    ScratchInput scratch,
    MigrationPlan plan,
    String source,
    Duration lockTimeout,
    Duration statementTimeout) {
  public RehearsalInput {
    Objects.requireNonNull(scratch, "scratch");
    Objects.requireNonNull(plan, "plan");
    Objects.requireNonNull(source, "source");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
  }
}
