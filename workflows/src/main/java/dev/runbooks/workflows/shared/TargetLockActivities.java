package dev.runbooks.workflows.shared;

import io.temporal.activity.ActivityInterface;

/** The calls a runbook makes to take and give back its target's {@link TargetLockWorkflow}. */
@ActivityInterface
public interface TargetLockActivities {
  /**
   * Takes the target's lock for {@code request.holderWorkflowId()}; succeeds again for the same
   * holder. Fails with {@link FailureType#TARGET_LOCKED}, naming the holder, when another run has
   * it.
   */
  LockHolder acquireTargetLock(LockHolder request);

  /** Gives the lock back; does nothing when this holder does not hold it. */
  void releaseTargetLock(LockHolder holder);

  /** Whether a run is still open; the lock workflow asks this to free locks of vanished runs. */
  boolean isRunOpen(String workflowId);
}
