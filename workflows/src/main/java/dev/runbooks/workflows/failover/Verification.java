package dev.runbooks.workflows.failover;

import java.time.Instant;
import java.util.Objects;

/**
 * @param firstWriteAt when the new primary acknowledged the canary write (the worker's clock)
 */
public record Verification(int timeline, String lsn, Instant firstWriteAt) {
  public Verification {
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(firstWriteAt, "firstWriteAt");
  }
}
