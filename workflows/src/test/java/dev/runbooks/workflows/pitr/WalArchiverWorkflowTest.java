package dev.runbooks.workflows.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The archiver's workflow: sessions one after another, failures waited out, stop on request. */
class WalArchiverWorkflowTest {
  private final FakeArchiverActivities activities = new FakeArchiverActivities();

  private static WalArchiverWorkflow start(WorkflowClient client, String id) {
    WalArchiverWorkflow archiver =
        client.newWorkflowStub(
            WalArchiverWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(GoldenHistories.QUEUE)
                .build());
    WorkflowClient.start(archiver::run, ArchiverRequest.start("orders", "alice"));
    return client.newWorkflowStub(WalArchiverWorkflow.class, id);
  }

  @Test
  void keepsGapsWaitsOutAFailedSessionAndStopsWhenAsked() throws Exception {
    GoldenHistories.replay(
        "archive-sessions",
        worker -> {
          worker.registerWorkflowImplementationTypes(WalArchiverWorkflowImpl.class);
          worker.registerActivitiesImplementations(activities);
        },
        client -> {
          WalArchiverWorkflow archiver = start(client, "archive-sessions");
          try {
            assertTrue(activities.streaming.await(60, TimeUnit.SECONDS), "third session runs");
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          ArchiverStatus streaming = archiver.status();
          assertEquals("STREAMING", streaming.state());
          assertEquals(1, streaming.gaps().size(), streaming.toString());
          archiver.stop("test over");
          WorkflowStub.fromTyped(archiver).getResult(Void.class);
          ArchiverStatus stopped = archiver.status();
          assertEquals("STOPPED", stopped.state());
          assertEquals(1, stopped.sessions(), "the failed and the cancelled sessions do not count");
          assertTrue(stopped.gaps().get(0).startsWith("gap on timeline 1"), stopped.toString());
          assertEquals(3, activities.calls.get());
        },
        WalArchiverWorkflowImpl.class);
  }

  @Test
  void readsTheArchiveStateOnAWorker() throws Exception {
    GoldenHistories.replay(
        "archive-state",
        worker -> {
          worker.registerWorkflowImplementationTypes(WalArchiveStateWorkflowImpl.class);
          worker.registerActivitiesImplementations(activities);
        },
        client -> {
          WalArchiveState state =
              client
                  .newWorkflowStub(
                      WalArchiveStateWorkflow.class,
                      WorkflowOptions.newBuilder()
                          .setWorkflowId("archive-state")
                          .setTaskQueue(GoldenHistories.QUEUE)
                          .build())
                  .describe("orders");
          assertEquals("0/A000000", state.end());
        },
        WalArchiveStateWorkflowImpl.class);
  }

  @Test
  void continuesAsNewCarryingItsSessionsAndGaps() throws Exception {
    activities.scripted = false;
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      Worker worker = env.newWorker(GoldenHistories.QUEUE);
      worker.registerWorkflowImplementationTypes(WalArchiverWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities);
      env.start();
      WalArchiverWorkflow archiver = start(env.getWorkflowClient(), "archive-long");
      assertTrue(activities.streaming.await(60, TimeUnit.SECONDS), "sessions: " + activities.calls);
      ArchiverStatus status = archiver.status();
      assertTrue(
          status.sessions() > WalArchiverWorkflowImpl.SESSIONS_PER_RUN,
          "sessions carried across continue-as-new: " + status);
      archiver.stop("test over");
      WorkflowStub.fromTyped(archiver).getResult(60, TimeUnit.SECONDS, Void.class);
    }
  }
}
