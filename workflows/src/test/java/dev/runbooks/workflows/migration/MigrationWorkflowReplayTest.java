package dev.runbooks.workflows.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import dev.runbooks.workflows.backup.BackupWorkflowImpl;
import dev.runbooks.workflows.backup.FakeBackupActivities;
import dev.runbooks.workflows.backup.RestoreDrillWorkflowImpl;
import dev.runbooks.workflows.check.FakeCheckActivities;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Today's migration workflow must replay runs recorded by the deployed one. */
class MigrationWorkflowReplayTest {
  private final FakeMigrationActivities activities = new FakeMigrationActivities();

  private GoldenHistories.Setup setup() {
    return worker -> {
      worker.registerWorkflowImplementationTypes(
          MigrationWorkflowImpl.class, BackupWorkflowImpl.class, RestoreDrillWorkflowImpl.class);
      worker.registerActivitiesImplementations(
          activities, new FakeBackupActivities(), new FakeCheckActivities());
    };
  }

  private static MigrationRequest request(boolean autoApprove) {
    return new MigrationRequest(
        new RunbookRequest("orders", "alice", true, Duration.ofHours(1)),
        null,
        autoApprove,
        MigrationRequest.DEFAULT_LOCK_TIMEOUT,
        MigrationRequest.DEFAULT_STATEMENT_TIMEOUT);
  }

  private static MigrationWorkflow stub(WorkflowClient client, String id) {
    return client.newWorkflowStub(
        MigrationWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(GoldenHistories.QUEUE).build());
  }

  private static void pause() {
    try {
      Thread.sleep(20);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  @Test
  void approvedMigration() throws Exception {
    GoldenHistories.replay(
        "migrate-approved",
        setup(),
        client -> {
          MigrationWorkflow run = stub(client, "migrate-approved");
          WorkflowClient.start(run::run, request(false));
          Instant deadline = Instant.now().plusSeconds(30);
          while (!"approve".equals(run.progress().awaitingApproval())) {
            if (Instant.now().isAfter(deadline)) {
              throw new AssertionError("never reached the gate: " + run.progress());
            }
            pause();
          }
          run.approve(new Approval("bob", "ok"));
          MigrationResult result = WorkflowStub.fromTyped(run).getResult(MigrationResult.class);
          assertEquals("3", result.toVersion());
        },
        MigrationWorkflowImpl.class,
        BackupWorkflowImpl.class,
        RestoreDrillWorkflowImpl.class);
  }

  @Test
  void failedApplyRolledBack() throws Exception {
    activities.failingVersion = "3";
    GoldenHistories.replay(
        "migrate-rolled-back",
        setup(),
        client -> {
          WorkflowFailedException failed =
              assertThrows(
                  WorkflowFailedException.class,
                  () -> stub(client, "migrate-rolled-back").run(request(true)));
          assertTrue(failed.getCause().getMessage().contains("rolled back"), failed.toString());
          assertEquals(
              List.of("apply 2", "apply 3"),
              activities.calls.stream().filter(c -> c.startsWith("apply")).toList());
        },
        MigrationWorkflowImpl.class,
        BackupWorkflowImpl.class,
        RestoreDrillWorkflowImpl.class);
  }

  @Test
  void driftRefusedBeforeApply() throws Exception {
    activities.drifted = true;
    GoldenHistories.replay(
        "migrate-drift-refused",
        setup(),
        client -> {
          MigrationWorkflow run = stub(client, "migrate-drift-refused");
          WorkflowFailedException failed =
              assertThrows(WorkflowFailedException.class, () -> run.run(request(true)));
          assertTrue(failed.getCause().getMessage().contains("drifted"), failed.toString());
          assertTrue(activities.calls.contains("drift"), activities.calls.toString());
          assertTrue(
              activities.calls.stream().noneMatch(c -> c.startsWith("apply")),
              activities.calls.toString());
          assertEquals(List.of("2", "3"), run.versions().left());
          assertEquals(List.of(), run.versions().applied());
        },
        MigrationWorkflowImpl.class,
        BackupWorkflowImpl.class,
        RestoreDrillWorkflowImpl.class);
  }
}
