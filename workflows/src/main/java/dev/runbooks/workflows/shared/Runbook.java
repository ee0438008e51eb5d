package dev.runbooks.workflows.shared;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Functions;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;

/**
 * The runbook contract, implemented once: every workflow implementation holds one of these and runs
 * its stages through it. It keeps the ordered steps for {@code progress()}, the search attributes
 * and current details for the Temporal UI, the approval gate with its four-eyes rule, the
 * compensations registered so far, and the target lock of mutating runbooks.
 *
 * <p>Deterministic workflow code only: no I/O, clocks or randomness except through {@link
 * Workflow}.
 */
public final class Runbook {
  private static final Logger log = Workflow.getLogger(Runbook.class);

  private final RunbookKind kind;
  private final RunbookRequest request;
  private final List<Step> steps = new ArrayList<>();
  private final Compensations compensations = new Compensations();
  private String awaitingApproval;
  private Approval approval;
  private Outcome outcome = Outcome.RUNNING;
  private String outcomeDetail = "";
  private String current = "";
  private String failedStep;
  private LockHolder lock;
  private TargetLockActivities lockActivities;

  /**
   * @param stepNames every step the run may take, in order, so {@code progress()} shows the whole
   *     plan from the start
   */
  public Runbook(RunbookKind kind, RunbookRequest request, List<String> stepNames) {
    this.kind = Objects.requireNonNull(kind, "kind");
    this.request = Objects.requireNonNull(request, "request");
    for (String name : stepNames) {
      steps.add(Step.pending(name));
    }
    Workflow.upsertTypedSearchAttributes(
        RunbookSearchAttributes.KIND.valueSet(kind.label()),
        RunbookSearchAttributes.TARGET.valueSet(request.target()),
        RunbookSearchAttributes.INITIATOR.valueSet(request.initiator()));
    RunCounter.started(kind, request.target());
  }

  public String target() {
    return request.target();
  }

  public String workflowId() {
    return Workflow.getInfo().getWorkflowId();
  }

  /** {@code workflowId/step}: the idempotency key of an activity call made in {@code step}. */
  public String idempotencyKey(String step) {
    return workflowId() + "/" + step;
  }

  // ---- running the body --------------------------------------------------------------------

  /**
   * Runs the runbook's body. A failure runs the compensations registered so far and fails the run
   * with a typed, non-retryable failure; a cancellation (abort) runs them in a detached scope and
   * ends the run as cancelled. The target lock, if taken, is always given back.
   */
  public <R> R run(Functions.Func<R> body) {
    try {
      R result = body.apply();
      if (outcome == Outcome.RUNNING) {
        conclude(Outcome.SUCCEEDED, "all steps done");
      }
      return result;
    } catch (CanceledFailure e) {
      inDetachedScope(
          () -> conclude(Outcome.ABORTED, "aborted" + reason(e) + compensate().detail()));
      throw e;
    } catch (RuntimeException e) {
      // Aborted, whatever the failure the abort met (an activity that failed on its own while
      // the abort reached it too): compensate outside the cancelled scope, or nothing would run.
      if (CancellationScope.current().isCancelRequested()) {
        inDetachedScope(() -> conclude(Outcome.ABORTED, "aborted" + compensate().detail()));
        throw e;
      }
      FailureType type = Failures.typeOf(e);
      String cause = Failures.describe(e);
      if (type == FailureType.BAD_INPUT && failedStep != null) {
        compensations.refused(failedStep);
      }
      Compensated undone = compensate();
      Outcome end;
      if (type == FailureType.APPROVAL_TIMEOUT) {
        end = Outcome.ABORTED;
      } else if (undone.rolledBack()) {
        end = Outcome.ROLLED_BACK;
      } else {
        end = Outcome.FAILED;
      }
      conclude(end, cause + undone.detail());
      FailureType reported = undone.rollbackFailed() ? FailureType.ROLLBACK_FAILED : type;
      throw ApplicationFailure.newNonRetryableFailureWithCause(
          outcomeDetail, reported == null ? "RUNBOOK_FAILED" : reported.name(), e);
    } finally {
      releaseLock();
      RunCounter.ended(kind, target(), outcome);
    }
  }

  private static String reason(CanceledFailure e) {
    String message = e.getOriginalMessage();
    return message == null || message.isBlank() ? "" : ": " + message;
  }

  /** Ends the run with this outcome (for example FAILED for a check with critical findings). */
  public void conclude(Outcome outcome, String detail) {
    this.outcome = outcome;
    this.outcomeDetail = detail == null ? "" : detail;
    current(outcome + ": " + this.outcomeDetail);
  }

  // ---- steps -------------------------------------------------------------------------------

  /** Runs one step: marks it running, runs the body, marks it done with a one-line detail. */
  public <T> T step(String name, Functions.Func<T> body, Functions.Func1<T, String> detail) {
    begin(name);
    T value;
    try {
      value = body.apply();
    } catch (RuntimeException e) {
      failedStep = name;
      end(name, StepState.FAILED, describe(e));
      throw e;
    }
    end(name, StepState.DONE, detail.apply(value));
    return value;
  }

  /** A step whose body returns nothing. */
  public void step(String name, Functions.Proc body, String doneDetail) {
    step(
        name,
        () -> {
          body.apply();
          return doneDetail;
        },
        d -> d);
  }

  private static String describe(RuntimeException e) {
    return Failures.isCancellation(e) ? "aborted" : Failures.describe(e);
  }

  /** Marks a step skipped, saying why. */
  public void skip(String name, String why) {
    replace(name, s -> new Step(name, StepState.SKIPPED, s.start(), s.end(), why));
  }

  /** Changes a step's one-line detail, e.g. while it runs. */
  public void detail(String name, String detail) {
    replace(name, s -> new Step(name, s.state(), s.start(), s.end(), detail));
  }

  /** The current details the Temporal UI shows, e.g. "waiting for replica lag < 1 MB: now 3 MB". */
  public void current(String details) {
    this.current = details;
    Workflow.setCurrentDetails(details);
  }

  private void begin(String name) {
    failedStep = null;
    Instant now = now();
    replace(name, s -> new Step(name, StepState.RUNNING, now, null, s.detail()));
    Workflow.upsertTypedSearchAttributes(RunbookSearchAttributes.STEP.valueSet(name));
    current("step " + name);
  }

  private void end(String name, StepState state, String detail) {
    Instant now = now();
    replace(name, s -> new Step(name, state, s.start(), now, detail));
  }

  private void replace(String name, Functions.Func1<Step, Step> change) {
    for (int i = 0; i < steps.size(); i++) {
      if (steps.get(i).name().equals(name)) {
        steps.set(i, change.apply(steps.get(i)));
        return;
      }
    }
    steps.add(change.apply(Step.pending(name)));
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }

  // ---- compensation ------------------------------------------------------------------------

  /**
   * Registers how to undo what {@code step} is about to do. Register it before the call it undoes:
   * a call that timed out may still have done its work.
   */
  public void onRollback(String step, Functions.Proc undo) {
    compensations.add(step, undo, false);
  }

  /**
   * As {@link #onRollback(String, Functions.Proc)}, for a rollback that can tell what it did: one
   * that found nothing to undo leaves the run FAILED rather than ROLLED_BACK, and its note is added
   * to the outcome's detail.
   */
  public void onRollbackSaying(String step, Functions.Func<Undone> undo) {
    compensations.add(step, undo, false);
  }

  /**
   * Registers tidying-up that must happen if the run fails or is aborted after {@code step}, such
   * as dropping a scratch database. Unlike a rollback it changes nothing the run set out to change,
   * so a failed run stays FAILED rather than ROLLED_BACK.
   */
  public void onCleanup(String step, Functions.Proc tidy) {
    compensations.add(step, tidy, true);
  }

  /** What {@code step} did is final: drop the rollbacks and cleanups registered for it. */
  public void settled(String step) {
    compensations.settled(step);
  }

  /** Runs the compensations registered so far, newest first, marking each rolled-back step. */
  private Compensated compensate() {
    return compensations.run(
        step ->
            replace(
                step, s -> new Step(step, StepState.COMPENSATED, s.start(), now(), "rolled back")));
  }

  private static void inDetachedScope(Runnable work) {
    Workflow.newDetachedCancellationScope(work).run();
  }

  // ---- approval ----------------------------------------------------------------------------

  /**
   * Waits at {@code step} until someone approves it. A wait longer than the request's approval
   * timeout fails the run with {@link FailureType#APPROVAL_TIMEOUT}, which aborts it with
   * compensation.
   */
  public Approval awaitApproval(String step) {
    return awaitApproval(step, "");
  }

  /**
   * As {@link #awaitApproval(String)}, with what the approver decides on (the plan) in the current
   * details the Temporal UI and {@code runbook status} show while the run waits.
   */
  public Approval awaitApproval(String step, String plan) {
    Instant now = now();
    replace(step, s -> new Step(step, StepState.RUNNING, now, null, "waiting for approval"));
    Workflow.upsertTypedSearchAttributes(RunbookSearchAttributes.STEP.valueSet(step));
    awaitingApproval = step;
    approval = null;
    current(
        "waiting for approval at "
            + step
            + ": runbook approve "
            + workflowId()
            + (plan.isEmpty() ? "" : ". " + plan));
    boolean approved = Workflow.await(request.approvalTimeout(), () -> approval != null);
    awaitingApproval = null;
    if (!approved) {
      end(step, StepState.FAILED, "no approval within " + request.approvalTimeout());
      throw FailureType.APPROVAL_TIMEOUT.failure(
          "step "
              + step
              + " waited "
              + request.approvalTimeout()
              + " for approval and got none; the run is aborted. Start it again and approve it"
              + " with: runbook approve <id>");
    }
    Approval given = approval;
    end(
        step,
        StepState.DONE,
        "approved by "
            + given.approver()
            + (given.comment().isEmpty() ? "" : ": " + given.comment()));
    return given;
  }

  /** The approve update's validator: nothing may change here. */
  public void validateApprove(Approval candidate) {
    if (awaitingApproval == null) {
      throw new IllegalStateException(
          "nothing in run "
              + workflowId()
              + " waits for approval (outcome "
              + outcome
              + "); approve only a run whose status shows 'awaiting approval'");
    }
    if (request.fourEyes() && candidate.approver().equals(request.initiator())) {
      throw new IllegalArgumentException(
          "four-eyes is on for target "
              + request.target()
              + ": "
              + candidate.approver()
              + " started this run and cannot approve it; ask another engineer to run: runbook"
              + " approve "
              + workflowId());
    }
  }

  public void approve(Approval given) {
    this.approval = given;
  }

  // ---- target lock -------------------------------------------------------------------------

  /**
   * Takes the target's lock for this run; a mutating runbook calls this first. Fails with {@link
   * FailureType#TARGET_LOCKED}, naming the run that holds it, when another run has it.
   */
  public void lockTarget(TargetLockActivities activities) {
    LockHolder request =
        new LockHolder(target(), workflowId(), kind, this.request.initiator(), now());
    this.lockActivities = activities;
    this.lock = activities.acquireTargetLock(request);
  }

  private void releaseLock() {
    if (lock == null) {
      return;
    }
    LockHolder held = lock;
    lock = null;
    inDetachedScope(
        () -> {
          try {
            lockActivities.releaseTargetLock(held);
          } catch (RuntimeException e) {
            // The lock workflow frees locks of closed runs by itself; say so and move on.
            log.warn(
                "could not release the lock of target {}: {}", held.target(), Failures.describe(e));
          }
        });
  }

  // ---- the progress query ------------------------------------------------------------------

  public RunbookProgress progress() {
    return new RunbookProgress(
        kind,
        request.target(),
        request.initiator(),
        steps,
        awaitingApproval,
        outcome,
        outcomeDetail,
        current);
  }

  /** For workflow implementations whose query may run before {@code run} set up the runbook. */
  public static RunbookProgress progressOf(Runbook runbook, RunbookKind kind) {
    if (runbook != null) {
      return runbook.progress();
    }
    return RunbookProgress.starting(kind);
  }

  /** Used by the validator of workflows whose run has not set up the runbook yet. */
  public static void validateApproveOf(Runbook runbook, Approval approval) {
    if (runbook == null) {
      throw new IllegalStateException("the run is starting; nothing waits for approval yet");
    }
    runbook.validateApprove(approval);
  }
}
