package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/**
 * @param to the replica to promote, or null for the most advanced one
 * @param maxLagBytes refuse a candidate whose replay lags more than this; null takes the target's
 *     configured {@code failover.maxLagBytes}
 * @param force an unplanned failover: the primary is down (confirmed with several attempts), so
 *     nothing is fenced and recent writes may be lost. Without it the run is a planned switchover
 *     and refuses to start when the primary does not answer.
 * @param rejoin rewind the old primary and start it as a replica of the new one (pg_rewind) when
 *     the worker runs on its host; otherwise the result lists the manual steps
 */
public record FailoverRequest(
    RunbookRequest runbook, String to, Long maxLagBytes, boolean force, boolean rejoin) {
  public FailoverRequest {
    Objects.requireNonNull(runbook, "runbook");
  }

  public boolean planned() {
    return !force;
  }
}
