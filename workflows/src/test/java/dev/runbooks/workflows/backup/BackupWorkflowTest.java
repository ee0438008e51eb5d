package dev.runbooks.workflows.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.check.CheckWorkflowImpl;
import dev.runbooks.workflows.check.FakeCheckActivities;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class BackupWorkflowTest {
  static final String QUEUE = "backup-test";

  private TestWorkflowEnvironment env;
  private FakeBackupActivities activities;
  private FakeCheckActivities checks;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    activities = new FakeBackupActivities();
    checks = new FakeCheckActivities();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(
        BackupWorkflowImpl.class,
        RestoreDrillWorkflowImpl.class,
        RestoreWorkflowImpl.class,
        BackupCatalogWorkflowImpl.class,
        CheckWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, checks);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  static RunbookRequest runbook() {
    return new RunbookRequest("orders", "alice", false, Duration.ofHours(1));
  }

  private <T> T stub(Class<T> type, String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            type, WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
  }

  private static StepState state(RunbookProgress progress, String step) {
    return progress.steps().stream()
        .filter(s -> s.name().equals(step))
        .map(Step::state)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void backupIsVerifiedByAChildDrillThenRetentionProtectsIt() {
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-1");
    BackupResult result = run.run(new BackupRequest(runbook(), true, null));

    String id = result.backup().backupId();
    assertTrue(id.matches("\\d{8}T\\d{6}Z-[0-9a-f]{4}"), id);
    assertTrue(result.drill().passed());
    assertEquals(id, result.drill().backupId());
    assertEquals(List.of("20261101T020000Z-0000"), result.pruned());
    assertEquals(
        List.of("dump", "resolve", "restore", "compare", "verdict", "drop", "in-use", "retention"),
        activities.verbs());
    assertTrue(activities.calls.contains("retention protecting [" + id + "]"));
    assertTrue(
        activities.calls.stream().anyMatch(c -> c.startsWith("restore " + id + " into drill_")));
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.SUCCEEDED, progress.outcome());
    assertTrue(progress.steps().stream().allMatch(s -> s.state() == StepState.DONE));
  }

  @Test
  void noVerifySkipsTheDrill() {
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-2");
    BackupResult result = run.run(new BackupRequest(runbook(), false, null));

    assertNull(result.drill());
    assertEquals(List.of("dump", "in-use", "retention"), activities.verbs());
    assertEquals(StepState.SKIPPED, state(run.progress(), "verify"));
  }

  @Test
  void retentionKeepsTheBackupsTheRunHoldingTheLockDependsOn() {
    activities.inUse = List.of("20261120T020000Z-aaaa", "20261121T020000Z-bbbb");
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-in-use");
    BackupResult result = run.run(new BackupRequest(runbook(), false, null));

    String id = result.backup().backupId();
    assertTrue(activities.calls.contains("in-use orders"), activities.calls::toString);
    assertTrue(
        activities.calls.contains(
            "retention protecting [" + id + ", 20261120T020000Z-aaaa, 20261121T020000Z-bbbb]"),
        activities.calls::toString);
  }

  @Test
  void failedDumpRemovesItsLeftoversAndFailsWithoutClaimingARollback() {
    activities.dumpFails = true;
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-3");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> run.run(new BackupRequest(runbook(), true, null)));

    assertEquals("NOT_FOUND", ((ApplicationFailure) failed.getCause()).getType());
    assertEquals(List.of("dump", "discard"), activities.verbs());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.FAILED, progress.outcome());
    assertTrue(progress.outcomeDetail().contains("vanished mid-dump"), progress.outcomeDetail());
    assertTrue(progress.outcomeDetail().endsWith("; cleaned up"), progress.outcomeDetail());
  }

  @Test
  void unreachablePrimaryStopsTheBackupBeforeTheDump() {
    checks.primaryDown = true;
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-4");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> run.run(new BackupRequest(runbook(), true, null)));

    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("PREFLIGHT_FAILED", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("connection refused"), cause.getMessage());
    assertEquals(List.of(), activities.calls);
  }

  @Test
  void drillThatFindsDifferencesFailsTheBackupRunAndKeepsTheBackup() {
    activities.restoredDiffers = true;
    BackupWorkflow run = stub(BackupWorkflow.class, "backup-orders-5");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> run.run(new BackupRequest(runbook(), true, null)));

    assertInstanceOf(ChildWorkflowFailure.class, failed.getCause().getCause());
    assertEquals("CORRUPTED_BACKUP", ((ApplicationFailure) failed.getCause()).getType());
    assertEquals(
        List.of("dump", "resolve", "restore", "compare", "verdict", "drop"), activities.verbs());
    assertFalse(activities.lastVerdictPassed);
    assertEquals(
        List.of("table public.orders: 41 rows, manifest says 42"),
        activities.lastVerdictDifferences);
    assertEquals(Outcome.FAILED, run.progress().outcome());
  }

  @Test
  void corruptedBackupRecordsAFailedVerdictAndDropsTheScratchDatabase() {
    activities.restoreCorrupted = true;
    RestoreDrillWorkflow run = stub(RestoreDrillWorkflow.class, "restore-drill-orders-6");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> run.run(new DrillRequest(runbook(), "20261123T020000Z-bbbb")));

    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("CORRUPTED_BACKUP", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("segment 3"), cause.getMessage());
    assertEquals(List.of("resolve", "restore", "verdict", "drop"), activities.verbs());
    assertTrue(activities.lastVerdictDifferences.get(0).contains("segment 3"));
    assertEquals(Outcome.FAILED, run.progress().outcome());
  }

  @Test
  void aMissingKeyFailsTheDrillWithoutTouchingTheBackupsVerdict() {
    activities.restoreFails =
        FailureType.BAD_INPUT.failure(
            "the backup key file /etc/runbooks/keyset.json does not exist, but the repository"
                + " already holds backups encrypted with key local:3750989215");
    RestoreDrillWorkflow run = stub(RestoreDrillWorkflow.class, "restore-drill-orders-61");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> run.run(new DrillRequest(runbook(), "20261123T020000Z-bbbb")));

    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("BAD_INPUT", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("local:3750989215"), cause.getMessage());
    assertEquals(List.of("resolve", "restore", "drop"), activities.verbs());
  }

  @Test
  void aScratchNameClashIsNoVerdictOnTheBackup() {
    activities.restoreFails =
        FailureType.CONFLICT.failure(
            "the database drill_x already exists (made by another restore: runbooks restore of"
                + " orders backup 20261123T020000Z-bbbb (restore-drill-orders-1/restore))");
    RestoreDrillWorkflow run = stub(RestoreDrillWorkflow.class, "restore-drill-orders-62");
    assertThrows(
        WorkflowFailedException.class,
        () -> run.run(new DrillRequest(runbook(), "20261123T020000Z-bbbb")));

    assertFalse(activities.verbs().contains("verdict"), activities.calls::toString);
  }

  @Test
  void abortDuringTheRestoreDropsTheScratchDatabase() throws Exception {
    activities.holdRestore = new CountDownLatch(1);
    RestoreDrillWorkflow run = stub(RestoreDrillWorkflow.class, "restore-drill-orders-7");
    WorkflowClient.start(run::run, new DrillRequest(runbook(), null));
    Instant deadline = Instant.now().plusSeconds(20);
    while (state(run.progress(), "restore") != StepState.RUNNING) {
      assertTrue(Instant.now().isBefore(deadline), "restore never started");
      Thread.sleep(20);
    }
    WorkflowStub.fromTyped(run).cancel("drill window over");

    // The restore is still running (a long pg_restore): the abort must not wait for it.
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(DrillResult.class));
    assertInstanceOf(CanceledFailure.class, failed.getCause());
    assertTrue(
        activities.calls.contains("drop " + BackupIds.scratchDatabase("restore-drill-orders-7")),
        activities.calls::toString);
    assertEquals(Outcome.ABORTED, run.progress().outcome());
    activities.holdRestore.countDown();
  }

  @Test
  void incidentRestoreRefusesAnExistingDatabase() {
    activities.databaseExists = true;
    RestoreWorkflow run = stub(RestoreWorkflow.class, "restore-orders-8");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> run.run(new RestoreRequest(runbook(), "20261123T020000Z-bbbb", "orders_copy")));
    assertEquals("BAD_INPUT", ((ApplicationFailure) failed.getCause()).getType());
  }

  @Test
  void drillAndRestoreStartWithAPreflightWhoseDetailNamesThePrimary() {
    RestoreDrillWorkflow drill = stub(RestoreDrillWorkflow.class, "restore-drill-orders-10");
    drill.run(new DrillRequest(runbook(), "20261123T020000Z-bbbb"));
    Step first = drill.progress().steps().get(0);
    assertEquals("preflight", first.name());
    assertEquals(StepState.DONE, first.state());
    assertTrue(first.detail().contains("PostgreSQL 15.18"), first.detail());

    RestoreWorkflow restore = stub(RestoreWorkflow.class, "restore-orders-10");
    restore.run(new RestoreRequest(runbook(), "20261123T020000Z-bbbb", "orders_copy"));
    first = restore.progress().steps().get(0);
    assertEquals("preflight", first.name());
    assertTrue(first.detail().contains("PostgreSQL 15.18"), first.detail());
  }

  @Test
  void drillAndRestoreRefuseATargetWithoutASinglePrimaryBeforeRestoringAnything() {
    checks.primaryDown = true;
    RestoreDrillWorkflow drill = stub(RestoreDrillWorkflow.class, "restore-drill-orders-11");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> drill.run(new DrillRequest(runbook(), "20261123T020000Z-bbbb")));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("PREFLIGHT_FAILED", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("nothing was changed"), cause.getMessage());

    RestoreWorkflow restore = stub(RestoreWorkflow.class, "restore-orders-11");
    failed =
        assertThrows(
            WorkflowFailedException.class,
            () ->
                restore.run(new RestoreRequest(runbook(), "20261123T020000Z-bbbb", "orders_copy")));
    assertEquals("PREFLIGHT_FAILED", ((ApplicationFailure) failed.getCause()).getType());
    // No backup was resolved, restored, judged or dropped: no verdict on a good backup either.
    assertEquals(List.of(), activities.calls);
  }

  @Test
  void catalogListsThroughAnActivity() {
    BackupCatalogWorkflow run = stub(BackupCatalogWorkflow.class, "backups-orders-9");
    assertEquals("orders", run.list("orders").target());
    assertEquals(List.of("list orders"), activities.calls);
  }

  @Test
  void nightlyCronFallbackFiresOncePerSkippedDay() {
    BackupWorkflow nightly =
        env.getWorkflowClient()
            .newWorkflowStub(
                BackupWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("schedule-nightly-orders")
                    .setTaskQueue(QUEUE)
                    .setCronSchedule("0 2 * * *")
                    .build());
    WorkflowClient.start(nightly::run, new BackupRequest(runbook(), false, null));

    env.sleep(Duration.ofDays(3));

    assertEquals(3, activities.calls.stream().filter(c -> c.startsWith("dump ")).count());
    WorkflowStub.fromTyped(nightly).terminate("test over");
  }
}
