package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Failures;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.TargetLockActivities;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.failure.ApplicationFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class FailoverWorkflowImpl extends RunbookWorkflowBase implements FailoverWorkflow {
  static final String PREFLIGHT = "preflight";
  static final String APPROVE = "approve";
  static final String FENCE = "fence";
  static final String CATCH_UP = "catch-up";
  static final String PROMOTE = "promote";
  static final String VERIFY = "verify";
  static final String POOLER = "pooler";
  static final String REPOINT = "repoint";
  static final String PUBLISH = "publish";
  static final String REJOIN = "rejoin";
  static final List<String> STEPS =
      List.of(
          PREFLIGHT, APPROVE, FENCE, CATCH_UP, PROMOTE, VERIFY, POOLER, REPOINT, PUBLISH, REJOIN);

  private final FailoverActivities repointing =
      Workflow.newActivityStub(FailoverActivities.class, FailoverProfiles.REPOINTING);
  private final FailoverActivities switching =
      Workflow.newActivityStub(FailoverActivities.class, FailoverProfiles.SWITCHING);
  private final FailoverActivities rejoining =
      Workflow.newActivityStub(FailoverActivities.class, FailoverProfiles.REJOINING);
  private final FailoverActivities waiting =
      Workflow.newActivityStub(FailoverActivities.class, FailoverProfiles.WAITING_ON_REPLICATION);
  private final TargetLockActivities locks =
      Workflow.newActivityStub(TargetLockActivities.class, ActivityProfiles.TARGET_LOCK);

  private FailoverRequest request;
  private String target;
  private String candidate;
  private String oldPrimary;
  private boolean promotionAttempted;
  private Instant fencedAt;
  private FailoverPooler pooler;

  public FailoverWorkflowImpl() {
    super(RunbookKind.FAILOVER);
  }

  @Override
  public FailoverResult run(FailoverRequest request) {
    this.request = request;
    this.target = request.runbook().target();
    runbook = new Runbook(RunbookKind.FAILOVER, request.runbook(), STEPS);
    return runbook.run(this::failover);
  }

  private FailoverResult failover() {
    FailoverPreflight.Plan plan =
        runbook.step(
            PREFLIGHT,
            () -> FailoverPreflight.run(runbook, request, switching, locks),
            p -> p.describe(request));
    Topology topology = plan.topology();
    candidate = plan.candidate().name();
    pooler = new FailoverPooler(runbook, target, topology.settings().pooler());
    oldPrimary = topology.primary().name();
    if (topology.settings().approvalRequired()) {
      runbook.awaitApproval(APPROVE);
    } else {
      runbook.skip(APPROVE, "the target's failover settings ask for no approval");
    }

    Fencing fencing = null;
    CatchUp caughtUp;
    if (request.planned()) {
      fencing = fence();
      caughtUp = catchUp(candidate, fencing.finalLsn(), topology.settings().catchUpTimeout());
    } else {
      runbook.skip(FENCE, "the primary is down: nothing to fence");
      runbook.skip(CATCH_UP, "the primary is down: promotion replays what " + candidate + " has");
      caughtUp = null;
    }

    promotionAttempted = true;
    Promotion promotion =
        runbook.step(
            PROMOTE,
            () -> switching.promoteReplica(new ServerInput(target, candidate)),
            p ->
                (p.alreadyPromoted() ? "already promoted" : "promoted " + candidate)
                    + " at "
                    + p.lsn()
                    + ", timeline "
                    + p.timeline());
    // From here nothing is undone automatically: unfencing the old primary now is split brain.
    runbook.settled(FENCE);

    try {
      return settle(plan, fencing, caughtUp, promotion);
    } catch (RuntimeException e) {
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          candidate
              + " was promoted (timeline "
              + promotion.timeline()
              + ") and is the primary; the old primary "
              + (fencing != null ? "stays fenced" : "is down and must stay stopped")
              + "; nothing is reverted. Then this failed: "
              + Failures.describe(e)
              + ". Finish by hand from that step (runbooks/failover.md).",
          typeName(e),
          e);
    }
  }

  private static String typeName(RuntimeException e) {
    FailureType type = Failures.typeOf(e);
    return type == null ? "RUNBOOK_FAILED" : type.name();
  }

  private FailoverResult settle(
      FailoverPreflight.Plan plan, Fencing fencing, CatchUp caughtUp, Promotion promotion) {
    Topology topology = plan.topology();
    pooler.repoint(topology.primary().name(), candidate);
    Verification verification =
        runbook.step(
            VERIFY,
            () ->
                switching.verifyPrimary(
                    new VerifyInput(
                        target,
                        candidate,
                        topology.primary().timeline(),
                        runbook.workflowId(),
                        fencing == null ? List.of() : fencing.lockedRoles())),
            v ->
                "out of recovery on timeline "
                    + v.timeline()
                    + ", canary write read back"
                    + (fencedAt != null
                        ? "; write outage "
                            + Texts.duration(Duration.between(fencedAt, v.firstWriteAt()))
                        : ""));
    PoolerState resumed = pooler.resumeStep();
    List<String> manual = new ArrayList<>();
    List<String> repointed = repoint(topology, candidate, manual);
    Publication endpoint =
        runbook.step(
            PUBLISH,
            () ->
                switching.publishEndpoint(
                    new PublishInput(
                        target, candidate, verification.timeline(), runbook.workflowId())),
            p ->
                p.endpoint()
                    + " stored at "
                    + p.path()
                    + " version "
                    + p.version()
                    + (p.hook().isEmpty() ? "" : "; hook: " + p.hook()));
    Rejoin rejoin = rejoin();
    manual.addAll(rejoin.manualSteps());
    String oldState =
        RejoinReport.oldPrimaryState(topology.primary().name(), request.planned(), rejoin);
    String warning = RejoinReport.warning(candidate, oldState, rejoin);
    if (warning != null) {
      runbook.conclude(Outcome.SUCCEEDED, warning); // not "all steps done": one failed
    }
    return new FailoverResult(
        target,
        request.planned(),
        topology.primary().name(),
        oldState,
        candidate,
        verification.timeline(),
        fencing != null ? fencing.finalLsn() : plan.candidate().primaryEndLsn(),
        caughtUp != null ? caughtUp.replayLsn() : promotion.lsn(),
        request.planned() ? Long.valueOf(0) : plan.lost(),
        fencing != null ? Duration.between(fencing.fencedAt(), verification.firstWriteAt()) : null,
        timings(),
        repointed,
        endpoint,
        manual,
        rejoin.servers(),
        warning,
        resumed);
  }

  private Fencing fence() {
    FenceInput input = new FenceInput(target, runbook.workflowId(), oldPrimary);
    Fencing fencing =
        runbook.step(
            FENCE,
            () -> {
              pooler.pause();
              // After the pooler's resume: compensations run newest first, so the primary is
              // unfenced before the pooler lets its clients through again.
              runbook.onRollback(FENCE, () -> unfence(input));
              return switching.fencePrimary(input);
            },
            f ->
                pooler.pausedNote()
                    + "read-only at "
                    + f.finalLsn()
                    + (f.lockedRoles().isEmpty()
                        ? ""
                        : "; NOLOGIN " + String.join(", ", f.lockedRoles()))
                    + "; "
                    + f.sessionsTerminated()
                    + " sessions ended");
    fencedAt = fencing.fencedAt();
    return fencing;
  }

  /**
   * The rollback of fencing. Once promotion was tried, the candidate may be a primary already:
   * unfencing then would leave two writable servers, so the old primary stays fenced unless the
   * candidate is provably still a replica.
   */
  private void unfence(FenceInput input) {
    if (promotionAttempted) {
      boolean replica;
      try {
        replica = switching.isInRecovery(new ServerInput(target, candidate));
      } catch (RuntimeException e) {
        throw FailureType.ROLLBACK_FAILED.failure(
            "promotion was attempted and the candidate cannot be asked whether it was promoted;"
                + " the old primary stays fenced so that at most one server takes writes. Check"
                + " the candidate (SELECT pg_is_in_recovery()) and unfence or promote by hand"
                + " (runbooks/failover.md).");
      }
      if (!replica) {
        throw FailureType.ROLLBACK_FAILED.failure(
            "the candidate left recovery: it is a primary now, so the old primary stays fenced."
                + " Finish the switchover by hand (runbooks/failover.md).");
      }
    }
    switching.unfencePrimary(input);
  }

  private CatchUp catchUp(String candidate, String lsn, Duration timeout) {
    return runbook.step(
        CATCH_UP,
        () -> {
          long started = Workflow.currentTimeMillis();
          Long initial = null;
          while (true) {
            CatchUp now =
                waiting.awaitReplay(
                    new CatchUpInput(target, candidate, lsn, FailoverProfiles.CATCH_UP_SLICE));
            if (initial == null) {
              initial = now.remainingBytes();
            }
            runbook.current(
                "catch-up of "
                    + candidate
                    + ": lag "
                    + Lsn.bytes(initial)
                    + " -> "
                    + (now.remainingBytes() == 0 ? "0" : Lsn.bytes(now.remainingBytes())));
            if (now.remainingBytes() == 0) {
              return now;
            }
            if (Workflow.currentTimeMillis() - started > timeout.toMillis()) {
              throw FailureType.LAG_TOO_HIGH.failure(
                  candidate
                      + " did not replay up to the fenced primary's last position "
                      + lsn
                      + " within "
                      + Texts.duration(timeout)
                      + ": it is at "
                      + now.replayLsn()
                      + ", "
                      + Lsn.bytes(now.remainingBytes())
                      + " short. The primary is unfenced again; find what slows replay on "
                      + candidate
                      + ", or raise failover.catchUpTimeout.");
            }
          }
        },
        c -> "replayed up to " + c.replayLsn());
  }

  private List<String> repoint(Topology topology, String candidate, List<String> manual) {
    List<String> others =
        topology.replicas().stream()
            .map(ReplicaState::name)
            .filter(n -> !n.equals(candidate))
            .toList();
    if (others.isEmpty()) {
      runbook.skip(REPOINT, "no other replicas");
      return List.of();
    }
    return runbook.step(
        REPOINT,
        () -> {
          List<String> streaming = new ArrayList<>();
          for (String replica : others) {
            Repoint r;
            try {
              r = repointing.repointReplica(new RepointInput(target, replica, candidate));
            } catch (RuntimeException e) {
              manual.add(
                  "point replica "
                      + replica
                      + " at "
                      + candidate
                      + " (primary_conninfo, then SELECT pg_reload_conf()): it could not be"
                      + " repointed: "
                      + Failures.describe(e));
              continue;
            }
            if (r.streaming()) {
              streaming.add(replica);
            } else {
              manual.add(r.detail());
            }
          }
          return streaming;
        },
        s -> s.size() + " of " + others.size() + " streaming from " + candidate);
  }

  /**
   * After promotion a failed rejoin fails nothing: the switchover stands. The step is marked FAILED
   * and the result carries the old primary's state as read back and the next step.
   */
  private Rejoin rejoin() {
    RejoinInput input =
        new RejoinInput(target, candidate, request.rejoin(), !request.planned(), oldPrimary);
    Rejoin[] done = new Rejoin[1];
    try {
      return runbook.step(
          REJOIN,
          () -> {
            done[0] = rejoining.rejoinOldPrimary(input);
            if (done[0].failed()) {
              throw new IllegalStateException(done[0].detail());
            }
            return done[0];
          },
          Rejoin::detail);
    } catch (RuntimeException e) {
      if (done[0] != null) {
        return done[0];
      }
      return new Rejoin(
          false,
          input.attempt(),
          "the rejoin step failed: " + Failures.describe(e),
          List.of(
              "rejoin the old primary by hand (runbooks/failover.md, \"Rejoin\"): the automatic"
                  + " rejoin failed: "
                  + Failures.describe(e)),
          List.of());
    }
  }

  private List<StepTiming> timings() {
    List<StepTiming> timings = new ArrayList<>();
    for (Step s : runbook.progress().steps()) {
      if (s.start() != null && s.end() != null) {
        timings.add(new StepTiming(s.name(), Duration.between(s.start(), s.end())));
      }
    }
    return timings;
  }
}
