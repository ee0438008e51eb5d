package dev.runbooks.workflows.shared;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One per target, with the workflow ID {@link #workflowId(String)}: the lock a mutating runbook
 * holds while it runs. Temporal's one-open-workflow-per-ID rule makes it a true mutex across all
 * clients and workers.
 */
@WorkflowInterface
public interface TargetLockWorkflow {
  static String workflowId(String target) {
    return "runbook-lock-" + target;
  }

  @WorkflowMethod
  void run(String target);

  /** Grants the lock to {@code request.holderWorkflowId()}; idempotent for the same holder. */
  @UpdateMethod
  LockHolder acquire(LockHolder request);

  /** Rejects the request, naming the holder, when another run holds the lock. */
  @UpdateValidatorMethod(updateName = "acquire")
  void validateAcquire(LockHolder request);

  /** Releases the lock when {@code holderWorkflowId} holds it; otherwise does nothing. */
  @SignalMethod
  void release(String holderWorkflowId);

  /** The holder, or null when the lock is free. */
  @QueryMethod
  LockHolder holder();
}
