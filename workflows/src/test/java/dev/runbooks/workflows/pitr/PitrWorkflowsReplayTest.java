package dev.runbooks.workflows.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.GoldenHistories;
import dev.runbooks.workflows.check.FakeCheckActivities;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The physical backup and the PITR drill: golden histories today's code must replay, and a drill
 * that finds differences.
 */
class PitrWorkflowsReplayTest {
  private final FakePitrActivities activities = new FakePitrActivities();

  static RunbookRequest runbook() {
    return new RunbookRequest("orders", "alice", false, Duration.ofHours(1));
  }

  private GoldenHistories.Setup setup() {
    return worker -> {
      worker.registerWorkflowImplementationTypes(
          PhysicalBackupWorkflowImpl.class, PitrDrillWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities, new FakeCheckActivities());
    };
  }

  private static <T> T stub(WorkflowClient client, Class<T> type, String id) {
    return client.newWorkflowStub(
        type,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(GoldenHistories.QUEUE).build());
  }

  @Test
  void physicalBackupWaitsForItsWalThenPrunesBaseBackupsAndWal() throws Exception {
    GoldenHistories.replay(
        "physical-backup",
        setup(),
        client -> {
          PhysicalBackupResult result =
              stub(client, PhysicalBackupWorkflow.class, "physical-backup")
                  .run(new PhysicalBackupRequest(runbook(), null));
          assertEquals("0/2000100", result.backup().stopLsn());
          assertEquals(12, result.retention().walObjectsDeleted());
        },
        PhysicalBackupWorkflowImpl.class);
  }

  @Test
  void pitrDrillRecordsItsRtoAndRpo() throws Exception {
    GoldenHistories.replay(
        "pitr-drill",
        setup(),
        client -> {
          PitrDrillResult result =
              stub(client, PitrDrillWorkflow.class, "pitr-drill")
                  .run(new PitrDrillRequest(runbook()));
          assertTrue(result.passed(), result.toString());
          assertEquals(Duration.ofSeconds(9), result.rto());
          assertEquals(Duration.ofMillis(1200), result.rpo());
        },
        PitrDrillWorkflowImpl.class);
  }

  /** A time-skipping service with the fake activities' worker started. */
  private TestWorkflowEnvironment started() {
    TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
    // As the service a worker meets: without them, the run's search attributes are refused and
    // the run never ends.
    for (var key : dev.runbooks.workflows.shared.RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(
          key.getName(), io.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    setup().register(env.newWorker(GoldenHistories.QUEUE));
    env.start();
    return env;
  }

  @Test
  void aFailedDrillRecordsItsVerdictAndFailsTheRun() {
    activities.differences = List.of("public.orders: 750 rows on the primary, 749 restored");
    try (TestWorkflowEnvironment env = started()) {
      io.temporal.client.WorkflowFailedException failed =
          org.junit.jupiter.api.Assertions.assertThrows(
              io.temporal.client.WorkflowFailedException.class,
              () ->
                  stub(env.getWorkflowClient(), PitrDrillWorkflow.class, "pitr-drill-fails")
                      .run(new PitrDrillRequest(runbook())));
      assertTrue(
          String.valueOf(failed.getCause().getCause()).contains("749 restored"),
          String.valueOf(failed.getCause()));
    }
  }

  @Test
  void eachCronRunDrillsToARestorePointOfItsOwn() {
    String id = "schedule-" + "nightly-pitr-drill-of-a-target-with-a-long-name".repeat(2);
    try (TestWorkflowEnvironment env = started()) {
      // The cron workflow standing in for a Schedule: one workflow ID for every run.
      PitrDrillWorkflow cron =
          env.getWorkflowClient()
              .newWorkflowStub(
                  PitrDrillWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(id)
                      .setTaskQueue(GoldenHistories.QUEUE)
                      .setCronSchedule("0 * * * *")
                      .build());
      WorkflowClient.start(cron::run, new PitrDrillRequest(runbook()));
      env.sleep(Duration.ofHours(2).plusMinutes(1));
      env.getWorkflowClient().newUntypedWorkflowStub(id).terminate("test over");
    }
    List<String> ids = List.copyOf(activities.drillIds);
    assertTrue(ids.size() >= 2, "cron runs: " + ids);
    assertEquals(ids.size(), new java.util.HashSet<>(ids).size(), "one restore point per run");
    for (String drillId : ids) {
      assertTrue(drillId.length() <= 63, "a restore point name PostgreSQL takes: " + drillId);
      assertTrue(
          drillId.matches("schedule-nightly-pitr-.*-\\d{8}T\\d{6}Z"),
          "the schedule, then the run's time: " + drillId);
    }
  }
}
