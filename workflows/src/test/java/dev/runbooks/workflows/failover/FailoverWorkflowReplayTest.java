package dev.runbooks.workflows.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Today's failover workflow must replay runs recorded by the deployed one. */
class FailoverWorkflowReplayTest {
  private static FailoverWorkflow stub(WorkflowClient client, String id) {
    return client.newWorkflowStub(
        FailoverWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(GoldenHistories.QUEUE).build());
  }

  @Test
  void plannedSwitchover() throws Exception {
    GoldenHistories.replay(
        "failover-switchover",
        worker -> {
          worker.registerWorkflowImplementationTypes(FailoverWorkflowImpl.class);
          worker.registerActivitiesImplementations(
              new FakeFailoverActivities(), new FakeTargetLocks());
        },
        client -> {
          FailoverResult result =
              stub(client, "failover-switchover")
                  .run(
                      new FailoverRequest(
                          FailoverWorkflowTest.runbook(), null, null, false, false));
          assertEquals("db2", result.newPrimary());
          assertEquals(Long.valueOf(0), result.bytesLost());
        },
        FailoverWorkflowImpl.class);
  }

  @Test
  void pooledSwitchover() throws Exception {
    FakeFailoverActivities pooled = new FakeFailoverActivities();
    pooled.pooler = "127.0.0.1:6432";
    GoldenHistories.replay(
        "failover-pooled-switchover",
        worker -> {
          worker.registerWorkflowImplementationTypes(FailoverWorkflowImpl.class);
          worker.registerActivitiesImplementations(pooled, new FakeTargetLocks());
        },
        client -> {
          FailoverResult result =
              stub(client, "failover-pooled-switchover")
                  .run(
                      new FailoverRequest(
                          FailoverWorkflowTest.runbook(), null, null, false, false));
          assertEquals("db2", result.newPrimary());
          assertEquals(false, result.pooler().paused());
        },
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
        client -> {
          WorkflowFailedException failed =
              assertThrows(
                  WorkflowFailedException.class,
                  () ->
                      stub(client, "failover-promotion-fails")
                          .run(
                              new FailoverRequest(
                                  FailoverWorkflowTest.runbook(), "db2", null, false, false)));
          assertEquals("PERMISSION_DENIED", ((ApplicationFailure) failed.getCause()).getType());
          assertTrue(
              failing.calls.containsAll(List.of("isInRecovery db2", "unfence")),
              failing.calls.toString());
        },
        FailoverWorkflowImpl.class);
  }
}
