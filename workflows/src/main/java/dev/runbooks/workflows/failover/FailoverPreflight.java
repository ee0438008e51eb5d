package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.TargetLockActivities;

/**
 * The failover's preflight: the target's lock, the topology, the primary up (switchover) or
 * confirmed down (failover), and the candidate with the data an unplanned failover may lose.
 * Nothing is changed here.
 */
final class FailoverPreflight {
  /** What preflight decided. */
  record Plan(Topology topology, ReplicaState candidate, String lostBytesNote, Long lost) {
    /** The step's one-line detail, with how the primary was found among the members. */
    String describe(FailoverRequest request) {
      ReplicaState c = candidate;
      return (request.planned() ? "switchover from " : "unplanned failover from ")
          + topology.primary().name()
          + " to "
          + c.name()
          + (c.lagBytes() != null ? " (lag " + Lsn.bytes(c.lagBytes()) + ")" : "")
          + lostBytesNote
          + (topology.resolution() == null ? "" : "; " + topology.resolution());
    }
  }

  static Plan run(
      Runbook runbook,
      FailoverRequest request,
      FailoverActivities switching,
      TargetLockActivities locks) {
    String target = request.runbook().target();

    runbook.lockTarget(locks);
    Topology topology = switching.inspectTopology(target);
    PrimaryState primary = topology.primary();
    if (request.planned() && !primary.reachable()) {
      throw FailureType.PREFLIGHT_FAILED.failure(
          "a planned switchover needs the primary of "
              + target
              + " ("
              + primary.address()
              + "), but it does not answer: "
              + primary.problem()
              + ". Nothing was changed. If it is down for good, fail over with --force.");
    }
    if (!request.planned()) {
      if (primary.reachable()) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "--force is for a primary that is down, but the primary of "
                + target
                + " ("
                + primary.address()
                + ") answers. Nothing was changed. Run a planned switchover (--planned): it"
                + " fences the primary first, so no write is lost.");
      }
      PrimaryProbe probe = switching.confirmPrimaryDown(target);
      if (!probe.down()) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "the primary of "
                + target
                + " answered again on attempt "
                + probe.attempts()
                + ". Nothing was changed. Run a planned switchover (--planned) instead.");
      }
    }
    long maxLag =
        request.maxLagBytes() != null ? request.maxLagBytes() : topology.settings().maxLagBytes();
    Candidates.Choice choice =
        Candidates.choose(target, topology.replicas(), request.to(), request.planned(), maxLag);
    ReplicaState c = choice.candidate();
    Long lost = null;
    String note = "";
    if (!request.planned()) {
      long end = Lsn.parse(c.primaryEndLsn());
      long received = Lsn.parse(c.receiveLsn() != null ? c.receiveLsn() : c.replayLsn());
      if (end >= 0) {
        lost = Math.max(0, end - received);
        note =
            "; possible data loss "
                + Lsn.bytes(lost)
                + " (primary last at "
                + c.primaryEndLsn()
                + ")";
      } else {
        note =
            "; possible data loss unknown: whatever the primary committed after "
                + (c.receiveLsn() != null ? c.receiveLsn() : c.replayLsn())
                + " is lost";
      }
    }
    String skipped =
        choice.skipped().isEmpty() ? "" : "; skipped " + String.join("; ", choice.skipped());
    runbook.current("candidate " + c.name() + note + skipped);
    return new Plan(topology, c, note + skipped, lost);
  }

  private FailoverPreflight() {}
}
