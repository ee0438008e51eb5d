package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.util.Objects;

/**
 * A configured replica as preflight found it.
 *
 * @param problem why it cannot be a candidate (unreachable, not in recovery); empty when it can
 * @param streaming a WAL receiver streams from the primary
 * @param receiveLsn the last WAL position it received; null when unknown
 * @param replayLsn the last WAL position it replayed; null when unknown
 * @param lagBytes replay lag behind the primary's current position; null when the primary is down
 * @param lagTime how long ago the last replayed transaction committed, when there is lag; null when
 *     unknown
 * @param primaryEndLsn the end of the primary's WAL as its WAL sender last reported it (the
 *     receiver's latest_end_lsn); null when unknown
 */
public record ReplicaState(
    String name,
    String address,
    boolean reachable,
    String problem,
    boolean streaming,
    boolean replayPaused,
    String receiveLsn,
    String replayLsn,
    Long lagBytes,
    Duration lagTime,
    String primaryEndLsn) {
  public ReplicaState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    problem = problem == null ? "" : problem;
  }

  /** A replica that does not answer: nothing is known of its WAL. */
  public static ReplicaState unreachable(String name, String address, String problem) {
    return new ReplicaState(
        name, address, false, problem, false, false, null, null, null, null, null);
  }

  /** A server that answers but is not in recovery (promoted earlier?): never a candidate. */
  public static ReplicaState notInRecovery(String name, String address, String problem) {
    return new ReplicaState(
        name, address, true, problem, false, false, null, null, null, null, null);
  }

  /** Reachable and in recovery: it could be promoted. */
  public boolean usable() {
    return reachable && problem.isEmpty();
  }
}
