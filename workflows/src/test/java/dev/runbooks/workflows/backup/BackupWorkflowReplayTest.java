package dev.runbooks.workflows.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import dev.runbooks.workflows.check.FakeCheckActivities;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.failure.ApplicationFailure;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Today's backup and drill workflows must replay runs recorded by the deployed ones. */
class BackupWorkflowReplayTest {
  private final FakeBackupActivities activities = new FakeBackupActivities();

  private GoldenHistories.Setup setup() {
    return worker -> {
      worker.registerWorkflowImplementationTypes(
          BackupWorkflowImpl.class, RestoreDrillWorkflowImpl.class, RestoreWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities, new FakeCheckActivities());
    };
  }

  private static <T> T stub(io.temporal.client.WorkflowClient client, Class<T> type, String id) {
    return client.newWorkflowStub(
        type,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(GoldenHistories.QUEUE).build());
  }

  @Test
  void verifiedBackup() throws Exception {
    GoldenHistories.replay(
        "backup-verified",
        setup(),
        client -> {
          BackupResult result =
              stub(client, BackupWorkflow.class, "backup-verified")
                  .run(new BackupRequest(BackupWorkflowTest.runbook(), true, null));
          assertTrue(result.drill().passed(), result.toString());
          assertEquals(result.backup().backupId(), result.drill().backupId());
        },
        BackupWorkflowImpl.class);
  }

  /** Recorded after retention began asking which backups an open migration depends on. */
  @Test
  void backupWhoseRetentionKeepsBackupsInUse() throws Exception {
    activities.inUse = List.of("20261120T020000Z-aaaa");
    GoldenHistories.replay(
        "backup-keeps-in-use",
        setup(),
        client -> {
          BackupResult result =
              stub(client, BackupWorkflow.class, "backup-keeps-in-use")
                  .run(new BackupRequest(BackupWorkflowTest.runbook(), false, null));
          assertNull(result.drill());
          assertTrue(
              activities.calls.stream()
                  .anyMatch(c -> c.startsWith("retention") && c.contains("20261120T020000Z-aaaa")),
              activities.calls.toString());
        },
        BackupWorkflowImpl.class);
  }

  @Test
  void drillOfACorruptedBackup() throws Exception {
    activities.restoreCorrupted = true;
    GoldenHistories.replay(
        "drill-corrupted",
        setup(),
        client -> {
          WorkflowFailedException failed =
              assertThrows(
                  WorkflowFailedException.class,
                  () ->
                      stub(client, RestoreDrillWorkflow.class, "drill-corrupted")
                          .run(
                              new DrillRequest(
                                  BackupWorkflowTest.runbook(), "20261123T020000Z-bbbb")));
          assertEquals("CORRUPTED_BACKUP", ((ApplicationFailure) failed.getCause()).getType());
          assertTrue(activities.calls.contains("verdict FAIL"), activities.calls.toString());
        },
        RestoreDrillWorkflowImpl.class);
  }

  /** Recorded after the drill and the restore began with a preflight. */
  @Test
  void drillThatStartsWithAPreflight() throws Exception {
    GoldenHistories.replay(
        "drill-preflight",
        setup(),
        client -> {
          RestoreDrillWorkflow drill = stub(client, RestoreDrillWorkflow.class, "drill-preflight");
          DrillResult result =
              drill.run(new DrillRequest(BackupWorkflowTest.runbook(), "20261123T020000Z-bbbb"));
          assertTrue(result.passed(), result.toString());
          assertEquals("preflight", drill.progress().steps().get(0).name());
        },
        RestoreDrillWorkflowImpl.class);
  }

  @Test
  void restoreThatStartsWithAPreflight() throws Exception {
    GoldenHistories.replay(
        "restore-preflight",
        setup(),
        client -> {
          RestoreWorkflow restore = stub(client, RestoreWorkflow.class, "restore-preflight");
          restore.run(
              new RestoreRequest(
                  BackupWorkflowTest.runbook(), "20261123T020000Z-bbbb", "orders_copy"));
          assertEquals("preflight", restore.progress().steps().get(0).name());
        },
        RestoreWorkflowImpl.class);
  }
}
