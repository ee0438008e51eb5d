package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.util.Objects;

/**
 * @param lsn the position the replica must replay
 * @param slice how long one call waits before it reports back
 */
public record CatchUpInput(String target, String replica, String lsn, Duration slice) {
  public CatchUpInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(slice, "slice");
  }
}
