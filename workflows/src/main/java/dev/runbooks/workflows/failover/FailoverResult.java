package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What holds after a failover: written so that nobody has to guess.
 *
 * @param oldPrimaryState as read from it at the end, e.g. "running, not in recovery, fenced by RUN:
 *     read-only, roles app NOLOGIN" or "stopped"
 * @param finalLsn the old primary's last WAL position: read after fencing (planned), or the last
 *     one known (unplanned; null when unknown)
 * @param replayedLsn what the new primary had replayed when it was promoted
 * @param bytesLost 0 for a planned switchover; for an unplanned one the WAL the old primary had
 *     beyond what the new one received, when known; null when unknown
 * @param writeOutage from fencing to the first write the new primary accepted; null when unplanned
 * @param steps how long each step took, in order
 * @param repointed replicas now streaming from the new primary
 * @param manualSteps what a person still has to do; empty when nothing
 * @param servers every server of the target as read from it at the end of the run
 * @param warning what did not go as asked although the failover succeeded (a rejoin that failed),
 *     with the next step; null when nothing
 */
public record FailoverResult(
    String target,
    boolean planned,
    String oldPrimary,
    String oldPrimaryState,
    String newPrimary,
    int newTimeline,
    String finalLsn,
    String replayedLsn,
    Long bytesLost,
    Duration writeOutage,
    List<StepTiming> steps,
    List<String> repointed,
    Publication endpoint,
    List<String> manualSteps,
    List<ServerState> servers,
    String warning) {
  public FailoverResult {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(oldPrimary, "oldPrimary");
    Objects.requireNonNull(oldPrimaryState, "oldPrimaryState");
    Objects.requireNonNull(newPrimary, "newPrimary");
    Objects.requireNonNull(replayedLsn, "replayedLsn");
    steps = List.copyOf(steps);
    repointed = List.copyOf(repointed);
    Objects.requireNonNull(endpoint, "endpoint");
    manualSteps = List.copyOf(manualSteps);
    servers = servers == null ? List.of() : List.copyOf(servers);
  }
}
