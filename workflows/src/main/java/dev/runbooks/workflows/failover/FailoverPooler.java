package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Failures;
import dev.runbooks.workflows.shared.Runbook;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.util.List;

/**
 * The target's PgBouncer during a switchover ({@code failover.pooler}): PAUSE before fencing, so
 * its clients wait instead of failing; after verify its {@code [databases]} pointed at the new
 * primary, RELOAD and RESUME. The resume is a cleanup registered right after PAUSE and kept past
 * promotion: whatever fails in between, the run ends with RESUME. Does nothing without a pooler.
 */
final class FailoverPooler {
  private final FailoverActivities pooling =
      Workflow.newActivityStub(FailoverActivities.class, FailoverProfiles.REPOINTING);
  private final Runbook runbook;
  private final String target;
  private final String address;
  private PoolerState state;
  private PoolerState repointed;
  private PoolerInput retry;

  /**
   * @param address the pooler's {@code host:port}; null for none
   */
  FailoverPooler(Runbook runbook, String target, String address) {
    this.runbook = runbook;
    this.target = target;
    this.address = address;
  }

  /** PAUSE; a pooler that cannot be paused refuses the run before anything is fenced. */
  void pause() {
    if (address == null) {
      return;
    }
    try {
      state = pooling.pausePooler(PoolerInput.of(target));
    } catch (ActivityFailure e) {
      if (Failures.isCancellation(e)) {
        throw e;
      }
      throw FailureType.PREFLIGHT_FAILED.failure(
          "PgBouncer at "
              + address
              + " (targets."
              + target
              + ".failover.pooler) could not be paused: "
              + Failures.describe(e)
              + ". Nothing was changed: the primary is not fenced and the pooler serves its"
              + " clients as before. Start PgBouncer or correct targets."
              + target
              + ".failover.pooler, then run the switchover again.");
    }
    runbook.onCleanup(FailoverWorkflowImpl.POOLER, this::resume);
  }

  /** For the fence step's detail. */
  String pausedNote() {
    return state != null && state.paused() ? "PgBouncer " + address + " paused; " : "";
  }

  private void resume() {
    try {
      state = pooling.resumePooler(PoolerInput.of(target));
    } catch (ActivityFailure e) {
      if (Failures.isCancellation(e)) {
        throw e;
      }
      state = new PoolerState(address, true, List.of(), "RESUME failed: " + Failures.describe(e));
      throw FailureType.ROLLBACK_FAILED.failure(
          "PgBouncer at "
              + address
              + " did not take RESUME: "
              + Failures.describe(e)
              + ". If it still runs it holds its clients paused: run RESUME on its admin console"
              + " by hand ("
              + PoolerState.manualResume(address)
              + "). A PgBouncer that restarted is not paused: check with SHOW DATABASES that it"
              + " points at the primary (runbooks/failover.md, \"Pooler by hand\").");
    }
  }

  /**
   * Right after promotion, while the pooler still holds its clients: its {@code [databases]} from
   * {@code from} to {@code to} (ini rewritten, RELOAD), so that only RESUME is left once the new
   * primary is verified. A failure here does not stop verify (which gives the application roles
   * their LOGIN back): the pooler step tries again after it. Nothing without a pooler.
   */
  void repoint(String from, String to) {
    if (address == null) {
      return;
    }
    PoolerInput input = new PoolerInput(target, from, to);
    try {
      repointed =
          runbook.step(
              FailoverWorkflowImpl.POOLER,
              () -> pooling.repointPooler(input),
              p -> p.detail() + "; RESUME once " + to + " is verified");
    } catch (ActivityFailure e) {
      if (Failures.isCancellation(e)) {
        throw e;
      }
      retry = input;
    }
  }

  /** The pooler step, after verify: RESUME (the repoint first, if it failed before). */
  PoolerState resumeStep() {
    if (address == null) {
      runbook.skip(FailoverWorkflowImpl.POOLER, "no failover.pooler configured");
      return null;
    }
    state =
        runbook.step(
            FailoverWorkflowImpl.POOLER,
            () -> {
              if (retry != null) {
                repointed = pooling.repointPooler(retry);
              }
              PoolerState resumed = pooling.resumePooler(PoolerInput.of(target));
              return new PoolerState(
                  resumed.address(),
                  resumed.paused(),
                  repointed.databases(),
                  repointed.detail() + "; " + resumed.detail());
            },
            PoolerState::detail);
    runbook.settled(FailoverWorkflowImpl.POOLER);
    return state;
  }
}
