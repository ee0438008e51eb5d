package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.GoldenHistories;
import dev.runbooks.workflows.check.FakeCheckActivities;
import io.temporal.client.WorkflowOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Today's backup and drill workflows must replay runs recorded by the deployed ones. */
class BackupWorkflowReplayTest {
  private final FakeBackupActivities activities = new FakeBackupActivities();

  private GoldenHistories.Setup setup() {
    return worker -> {
      worker.registerWorkflowImplementationTypes(
          BackupWorkflowImpl.class, RestoreDrillWorkflowImpl.class);
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
        client ->
            stub(client, BackupWorkflow.class, "backup-verified")
                .run(new BackupRequest(BackupWorkflowTest.runbook(), true, null)),
        BackupWorkflowImpl.class);
  }

  /** Recorded after retention began asking which backups an open migration depends on. */
  @Test
  void backupWhoseRetentionKeepsBackupsInUse() throws Exception {
    activities.inUse = List.of("20261120T020000Z-aaaa");
    GoldenHistories.replay(
        "backup-keeps-in-use",
        setup(),
        client ->
            stub(client, BackupWorkflow.class, "backup-keeps-in-use")
                .run(new BackupRequest(BackupWorkflowTest.runbook(), false, null)),
        BackupWorkflowImpl.class);
  }

  @Test
  void drillOfACorruptedBackup() throws Exception {
    activities.restoreCorrupted = true;
    GoldenHistories.replay(
        "drill-corrupted",
        setup(),
        client ->
            stub(client, RestoreDrillWorkflow.class, "drill-corrupted")
                .run(new DrillRequest(BackupWorkflowTest.runbook(), "20261123T020000Z-bbbb")),
        RestoreDrillWorkflowImpl.class);
  }
}
