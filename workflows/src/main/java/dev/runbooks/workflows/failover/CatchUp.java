package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param replayLsn what the replica has replayed
 * @param remainingBytes how far that is from the wanted position; 0 when it got there
 */
public record CatchUp(String replayLsn, long remainingBytes) {
  public CatchUp {
    Objects.requireNonNull(replayLsn, "replayLsn");
  }
}
