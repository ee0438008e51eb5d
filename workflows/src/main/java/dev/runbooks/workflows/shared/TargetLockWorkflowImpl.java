package dev.runbooks.workflows.shared;

import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;

/**
 * Holds one target's lock while a mutating runbook runs, and ends once the lock is free. A run that
 * vanished without giving the lock back (terminated, timed out) is noticed by a periodic check and
 * its lock freed.
 */
public class TargetLockWorkflowImpl implements TargetLockWorkflow {
  /** How long a new lock workflow waits for its first holder before it ends. */
  static final Duration FIRST_HOLDER_WAIT = Duration.ofMinutes(1);

  /** How often a held lock checks that its holder still runs. */
  static final Duration LIVENESS_CHECK = Duration.ofMinutes(1);

  private final TargetLockActivities activities =
      Workflow.newActivityStub(
          TargetLockActivities.class,
          ActivityProfiles.withSummary(ActivityProfiles.TARGET_LOCK, "is the lock holder open?"));

  private LockHolder holder;

  @Override
  public void run(String target) {
    Workflow.await(FIRST_HOLDER_WAIT, () -> holder != null);
    while (true) {
      while (holder != null) {
        String held = holder.holderWorkflowId();
        boolean released = Workflow.await(LIVENESS_CHECK, () -> holder == null);
        if (!released && holder != null && !activities.isRunOpen(held)) {
          Workflow.getLogger(TargetLockWorkflowImpl.class)
              .warn("freeing the lock of {}: its holder {} is no longer open", target, held);
          holder = null;
        }
      }
      // An acquire may have arrived with the last release; end only when no handler is left and
      // the lock is still free.
      Workflow.await(Workflow::isEveryHandlerFinished);
      if (holder == null) {
        return;
      }
    }
  }

  @Override
  public LockHolder acquire(LockHolder request) {
    if (holder == null) {
      holder =
          new LockHolder(
              request.target(),
              request.holderWorkflowId(),
              request.kind(),
              request.initiator(),
              Instant.ofEpochMilli(Workflow.currentTimeMillis()));
      Workflow.setCurrentDetails("held by " + holder.describe());
    }
    return holder;
  }

  @Override
  public void validateAcquire(LockHolder request) {
    if (holder != null && !holder.holderWorkflowId().equals(request.holderWorkflowId())) {
      throw new IllegalStateException(
          "target "
              + request.target()
              + " is held by "
              + holder.describe()
              + "; wait for it (runbook watch "
              + holder.holderWorkflowId()
              + ") or abort it (runbook abort "
              + holder.holderWorkflowId()
              + ")");
    }
  }

  @Override
  public void release(String holderWorkflowId) {
    if (holder != null && holder.holderWorkflowId().equals(holderWorkflowId)) {
      holder = null;
      Workflow.setCurrentDetails("free");
    }
  }

  @Override
  public LockHolder holder() {
    return holder;
  }
}
