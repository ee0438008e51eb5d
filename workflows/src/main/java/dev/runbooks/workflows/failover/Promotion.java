package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param alreadyPromoted the replica was out of recovery before this call (a retry)
 * @param timeline its timeline after promotion
 * @param lsn its WAL position after promotion
 */
public record Promotion(boolean alreadyPromoted, int timeline, String lsn) {
  public Promotion {
    Objects.requireNonNull(lsn, "lsn");
  }
}
