package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.GoldenHistories;
import io.temporal.client.WorkflowOptions;
import org.junit.jupiter.api.Test;

/** Today's failover workflow must replay runs recorded by the deployed one. */
class FailoverWorkflowReplayTest {
  @Test
  void plannedSwitchover() throws Exception {
    GoldenHistories.replay(
        "failover-switchover",
        worker -> {
          worker.registerWorkflowImplementationTypes(FailoverWorkflowImpl.class);
          worker.registerActivitiesImplementations(
              new FakeFailoverActivities(), new FakeTargetLocks());
        },
        client ->
            client
                .newWorkflowStub(
                    FailoverWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("failover-switchover")
                        .setTaskQueue(GoldenHistories.QUEUE)
                        .build())
                .run(new FailoverRequest(FailoverWorkflowTest.runbook(), null, null, false, false)),
        FailoverWorkflowImpl.class);
  }

  @Test
  void promotionFailsAndTheOldPrimaryIsUnfenced() throws Exception {
    FakeFailoverActivities failing = new FakeFailoverActivities();
    failing.failPromotion = true;
    GoldenHistories.replay(
        "failover-promotion-fails",
        worker -> {
          worker.registerWorkflowImplementationTypes(FailoverWorkflowImpl.class);
          worker.registerActivitiesImplementations(failing, new FakeTargetLocks());
        },
        client ->
            client
                .newWorkflowStub(
                    FailoverWorkflow.class,
                    WorkflowOptions.newBuilder()
                        .setWorkflowId("failover-promotion-fails")
                        .setTaskQueue(GoldenHistories.QUEUE)
                        .build())
                .run(
                    new FailoverRequest(FailoverWorkflowTest.runbook(), "db2", null, false, false)),
        FailoverWorkflowImpl.class);
  }
}
