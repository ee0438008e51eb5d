package dev.runbooks.workflows.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import dev.runbooks.workflows.check.FakeCheckActivities;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

/** Today's rotation workflow must replay runs recorded by the deployed one. */
class RotationWorkflowReplayTest {
  private final FakeRotationActivities activities = new FakeRotationActivities();

  private GoldenHistories.Setup setup() {
    return worker -> {
      worker.registerWorkflowImplementationTypes(RotationWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities, new FakeCheckActivities());
    };
  }

  private static RotationWorkflow stub(WorkflowClient client, String id) {
    return client.newWorkflowStub(
        RotationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(GoldenHistories.QUEUE).build());
  }

  @Test
  void alternatingRotation() throws Exception {
    GoldenHistories.replay(
        "rotate-alternating",
        setup(),
        client -> {
          RotationResult result =
              stub(client, "rotate-alternating")
                  .run(RotationWorkflowTest.request(RotationStrategy.ALTERNATING));
          assertEquals("app_b", result.renewedLogin());
          assertEquals("app_a", result.expiredLogin());
        },
        RotationWorkflowImpl.class);
  }

  @Test
  void renewalRolledBack() throws Exception {
    activities.renewFails = true;
    GoldenHistories.replay(
        "rotate-rolled-back",
        setup(),
        client -> {
          WorkflowFailedException failed =
              assertThrows(
                  WorkflowFailedException.class,
                  () ->
                      stub(client, "rotate-rolled-back")
                          .run(RotationWorkflowTest.request(RotationStrategy.ALTERNATING)));
          assertEquals("AUTHENTICATION", ((ApplicationFailure) failed.getCause()).getType());
          assertTrue(activities.calls.contains("restore app_b"), activities.calls.toString());
        },
        RotationWorkflowImpl.class);
  }

  /** Recorded before rollbacks dropped the logins a first rotation created. */
  @Test
  void firstRotationRolledBackBeforeLoginsWereDropped() throws Exception {
    activities.firstRotation = true;
    activities.renewFails = true;
    GoldenHistories.replay(
        "rotate-first-rolled-back",
        setup(),
        client -> assertFirstRotationRolledBack(client, "rotate-first-rolled-back"),
        RotationWorkflowImpl.class);
  }

  /** A first rotation whose rollback drops the logins it created. */
  @Test
  void firstRotationRolledBackDroppingItsLogins() throws Exception {
    activities.firstRotation = true;
    activities.renewFails = true;
    GoldenHistories.replay(
        "rotate-first-rolled-back-drops-logins",
        setup(),
        client -> assertFirstRotationRolledBack(client, "rotate-first-rolled-back-drops-logins"),
        RotationWorkflowImpl.class);
  }

  /** What today's code does with a failed first rotation: the logins it created are dropped. */
  private void assertFirstRotationRolledBack(WorkflowClient client, String id) {
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> stub(client, id).run(RotationWorkflowTest.request(RotationStrategy.ALTERNATING)));
    assertEquals("AUTHENTICATION", ((ApplicationFailure) failed.getCause()).getType());
    int restore = activities.calls.indexOf("restore app_a");
    int drop = activities.calls.indexOf("drop app_a, app_b");
    assertTrue(restore >= 0 && drop > restore, activities.calls.toString());
  }
}
