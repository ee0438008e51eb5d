package dev.runbooks.activities.lock;

import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.TargetLockActivities;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;

/**
 * Takes and gives back target locks by talking to each target's {@link TargetLockWorkflow}. Safe to
 * run twice: acquiring again for the same holder succeeds, releasing a lock not held does nothing.
 */
public class TargetLockActivitiesImpl implements TargetLockActivities {
  private final WorkflowClient client;
  private final String taskQueue;

  public TargetLockActivitiesImpl(WorkflowClient client, String taskQueue) {
    this.client = client;
    this.taskQueue = taskQueue;
  }

  @Override
  public LockHolder acquireTargetLock(LockHolder request) {
    String id = TargetLockWorkflow.workflowId(request.target());
    TargetLockWorkflow starter =
        client.newWorkflowStub(
            TargetLockWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(taskQueue)
                .setStaticSummary("lock of target " + request.target())
                .build());
    try {
      WorkflowClient.start(starter::run, request.target());
    } catch (WorkflowExecutionAlreadyStarted alreadyRunning) {
      // Someone holds it or is about to; the update below decides.
    }
    TargetLockWorkflow lock = client.newWorkflowStub(TargetLockWorkflow.class, id);
    try {
      return lock.acquire(request);
    } catch (WorkflowUpdateException e) {
      if (e.getCause() instanceof ApplicationFailure rejected
          && IllegalStateException.class.getName().equals(rejected.getType())) {
        throw FailureType.TARGET_LOCKED.failure(rejected.getOriginalMessage());
      }
      // The lock workflow ended between start and update: the activity's retry starts a new one.
      throw e;
    }
  }

  @Override
  public void releaseTargetLock(LockHolder holder) {
    try {
      client
          .newUntypedWorkflowStub(TargetLockWorkflow.workflowId(holder.target()))
          .signal("release", holder.holderWorkflowId());
    } catch (WorkflowNotFoundException alreadyGone) {
      // Nothing holds the lock any more.
    }
  }

  @Override
  public boolean isRunOpen(String workflowId) {
    try {
      return client.newUntypedWorkflowStub(workflowId).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException gone) {
      return false;
    }
  }
}
