package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.FailureType;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** Chooses the replica to promote. Pure, so it is tested without a workflow. */
public final class Candidates {
  /** The replica chosen, and what preflight says about the others. */
  public record Choice(ReplicaState candidate, List<String> skipped) {
    public Choice {
      skipped = List.copyOf(skipped);
    }
  }

  /**
   * The named replica, or the most advanced usable one: by replayed WAL for a switchover, by
   * received WAL for an unplanned failover (promotion replays what was received). A switchover also
   * needs the candidate to stream and to lag no more than {@code maxLagBytes}.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT for an unknown name, PREFLIGHT_FAILED
   *     when no replica can be promoted, LAG_TOO_HIGH when the lag is too high
   */
  public static Choice choose(
      String target, List<ReplicaState> replicas, String to, boolean planned, long maxLagBytes) {
    List<String> skipped = new ArrayList<>();
    List<ReplicaState> usable = new ArrayList<>();
    for (ReplicaState r : replicas) {
      String why = unusable(r, planned);
      if (why == null) {
        usable.add(r);
      } else {
        skipped.add(r.name() + " " + why);
      }
    }
    ReplicaState candidate;
    if (to != null) {
      ReplicaState named =
          replicas.stream().filter(r -> r.name().equals(to)).findFirst().orElse(null);
      if (named == null) {
        throw FailureType.BAD_INPUT.failure(
            "target "
                + target
                + " has no replica \""
                + to
                + "\"; its replicas: "
                + String.join(", ", replicas.stream().map(ReplicaState::name).toList())
                + ". Nothing was changed. Name one of those with --to, or leave --to out to take"
                + " the most advanced.");
      }
      if (!usable.contains(named)) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "the replica named with --to, "
                + to
                + ", cannot be promoted: it is "
                + unusable(named, planned)
                + ". Nothing was changed. Fix it, or leave --to out to take the most advanced"
                + (usable.isEmpty()
                    ? "."
                    : " ("
                        + String.join(", ", usable.stream().map(ReplicaState::name).toList())
                        + " can be)."));
      }
      candidate = named;
    } else {
      Comparator<ReplicaState> advance =
          Comparator.comparingLong(
              r -> Lsn.parse(planned ? r.replayLsn() : firstKnown(r.receiveLsn(), r.replayLsn())));
      candidate = usable.stream().max(advance).orElse(null);
      if (candidate == null) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "no replica of "
                + target
                + " can be promoted: "
                + (skipped.isEmpty() ? "none is configured" : String.join("; ", skipped))
                + ". Nothing was changed. Bring a replica back (it must answer and be in"
                + " recovery"
                + (planned ? ", streaming from the primary" : "")
                + "), then start again.");
      }
    }
    if (planned && candidate.lagBytes() != null && candidate.lagBytes() > maxLagBytes) {
      throw FailureType.LAG_TOO_HIGH.failure(
          "replica "
              + candidate.name()
              + " lags "
              + Lsn.bytes(candidate.lagBytes())
              + " ("
              + candidate.lagBytes()
              + " bytes) behind the primary, more than --max-lag "
              + maxLagBytes
              + " bytes. Nothing was changed. Wait until it has caught up"
              + (candidate.replayPaused() ? " (its replay is paused: pg_wal_replay_resume())" : "")
              + ", or allow more with --max-lag.");
    }
    return new Choice(candidate, skipped);
  }

  private static String unusable(ReplicaState r, boolean planned) {
    if (!r.usable()) {
      return r.reachable() ? r.problem() : "down (" + r.problem() + ")";
    }
    if (planned && !r.streaming()) {
      return "not streaming from the primary, so it cannot catch up";
    }
    if (r.replayLsn() == null) {
      return "without any replayed WAL";
    }
    return null;
  }

  private static String firstKnown(String a, String b) {
    return a != null ? a : b;
  }

  private Candidates() {}
}
