package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.Objects;

/** Apply exactly one pending version to the target. */
public record ApplyInput(
    String target,
    String version,
    Duration lockTimeout,
    Duration statementTimeout,
    String idempotencyKey) {
  public ApplyInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(lockTimeout, "lockTimeout");
    Objects.requireNonNull(statementTimeout, "statementTimeout");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
