package dev.runbooks.activities.contract;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.lock.BackupsInUseActivitiesImpl;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The runbook contract that every mutating runbook relies on, proven with a small workflow: the
 * approval gate and its validator, four-eyes, abort and timeout with compensation, rollback on
 * failure, and the per-target lock.
 */
class RunbookContractTest {
  private static final String QUEUE = "contract";
  private static final Duration APPROVAL_TIMEOUT = Duration.ofHours(2);

  private TestWorkflowEnvironment env;
  private WorkflowClient client;
  private RecordingGatedActivities activities;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    client = env.getWorkflowClient();
    activities = new RecordingGatedActivities();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(
        GatedWorkflowImpl.class, TargetLockWorkflowImpl.class);
    worker.registerActivitiesImplementations(
        activities, new TargetLockActivitiesImpl(client, QUEUE));
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private GatedWorkflow start(String id, String target, String initiator, boolean fourEyes) {
    GatedWorkflow run =
        client.newWorkflowStub(
            GatedWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
    WorkflowClient.start(
        run::run,
        new GatedWorkflow.Request(
            new RunbookRequest(target, initiator, fourEyes, APPROVAL_TIMEOUT)));
    return run;
  }

  private static RunbookProgress awaitProgress(GatedWorkflow run, Predicate<RunbookProgress> until)
      throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(20);
    RunbookProgress progress = run.progress();
    while (!until.test(progress)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("run never reached the expected state; last: " + progress);
      }
      Thread.sleep(20);
      progress = run.progress();
    }
    return progress;
  }

  private static RunbookProgress awaitGate(GatedWorkflow run) throws InterruptedException {
    return awaitProgress(run, p -> "approval".equals(p.awaitingApproval()));
  }

  private static StepState state(RunbookProgress progress, String step) {
    return progress.steps().stream()
        .filter(s -> s.name().equals(step))
        .map(Step::state)
        .findFirst()
        .orElseThrow();
  }

  @Test
  void backupsInUseAreThoseTheRunHoldingTheLockReferences() throws Exception {
    BackupsInUseActivitiesImpl inUse = new BackupsInUseActivitiesImpl(client);
    assertEquals(List.of(), inUse.backupsInUse("orders"), "no run has ever locked orders");

    GatedWorkflow run = start("migrate-orders-in-use", "orders", "alice", false);
    awaitGate(run);
    assertEquals(List.of(GatedWorkflow.REFERENCED_BACKUP), inUse.backupsInUse("orders"));
    assertEquals(List.of(), inUse.backupsInUse("billing"), "another target's lock is not held");

    run.approve(new Approval("bob", "looks right"));
    assertEquals("done", WorkflowStub.fromTyped(run).getResult(String.class));
    assertEquals(List.of(), inUse.backupsInUse("orders"), "the lock was released with the run");
  }

  @Test
  void approvedRunCompletesAndReportsEveryStep() throws Exception {
    GatedWorkflow run = start("migrate-orders-1", "orders", "alice", false);
    RunbookProgress waiting = awaitGate(run);
    assertEquals(StepState.DONE, state(waiting, "prepare"));
    assertEquals(StepState.PENDING, state(waiting, "apply"));

    run.approve(new Approval("bob", "looks right"));

    assertEquals("done", WorkflowStub.fromTyped(run).getResult(String.class));
    RunbookProgress done = run.progress();
    assertEquals(Outcome.SUCCEEDED, done.outcome());
    assertNull(done.awaitingApproval());
    assertTrue(done.steps().stream().allMatch(s -> s.state() == StepState.DONE), done.toString());
    assertTrue(done.steps().stream().allMatch(s -> s.start() != null && s.end() != null));
    assertTrue(
        done.steps().stream().anyMatch(s -> s.detail().equals("approved by bob: looks right")),
        done.toString());
    assertEquals(List.of("prepare", "apply"), activities.verbs());
    assertEquals("apply migrate-orders-1/apply", activities.calls.get(1));
  }

  @Test
  void validatorRejectsApprovalWhenNothingWaits() throws Exception {
    activities.holdPrepare = new CountDownLatch(1);
    GatedWorkflow run = start("migrate-orders-2", "orders", "alice", false);
    awaitProgress(run, p -> state(p, "prepare") == StepState.RUNNING);

    WorkflowUpdateException rejected =
        assertThrows(WorkflowUpdateException.class, () -> run.approve(new Approval("bob", "")));
    assertTrue(
        ((ApplicationFailure) rejected.getCause())
            .getOriginalMessage()
            .contains("nothing in run migrate-orders-2 waits for approval"),
        rejected.getCause().getMessage());

    activities.holdPrepare.countDown();
    awaitGate(run);
    run.approve(new Approval("bob", ""));
    assertEquals("done", WorkflowStub.fromTyped(run).getResult(String.class));
  }

  @Test
  void fourEyesRefusesSelfApprovalAndAcceptsAnotherEngineer() throws Exception {
    GatedWorkflow run = start("migrate-orders-3", "orders", "alice", true);
    awaitGate(run);

    WorkflowUpdateException rejected =
        assertThrows(WorkflowUpdateException.class, () -> run.approve(new Approval("alice", "")));
    String message = ((ApplicationFailure) rejected.getCause()).getOriginalMessage();
    assertTrue(message.contains("four-eyes"), message);
    assertTrue(message.contains("alice started this run and cannot approve it"), message);
    assertEquals("approval", run.progress().awaitingApproval(), "still waiting after a refusal");

    run.approve(new Approval("bob", ""));
    assertEquals("done", WorkflowStub.fromTyped(run).getResult(String.class));
  }

  @Test
  void abortWhileWaitingRunsCompensationsAndEndsCancelled() throws Exception {
    GatedWorkflow run = start("migrate-orders-4", "orders", "alice", false);
    awaitGate(run);

    WorkflowStub.fromTyped(run).cancel("wrong window");

    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(String.class));
    assertInstanceOf(CanceledFailure.class, failed.getCause());
    assertEquals(List.of("prepare", "undo"), activities.verbs());
    RunbookProgress aborted = run.progress();
    assertEquals(Outcome.ABORTED, aborted.outcome());
    assertEquals(StepState.COMPENSATED, state(aborted, "prepare"));
    assertTrue(aborted.outcomeDetail().contains("rolled back 1 step"), aborted.outcomeDetail());
  }

  @Test
  void approvalTimeoutAbortsWithCompensation() throws Exception {
    GatedWorkflow run = start("migrate-orders-5", "orders", "alice", false);
    awaitGate(run);

    // Time skipping: the test environment jumps over the two-hour gate while we wait.
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(String.class));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("APPROVAL_TIMEOUT", cause.getType());
    assertEquals(List.of("prepare", "undo"), activities.verbs());
    RunbookProgress aborted = run.progress();
    assertEquals(Outcome.ABORTED, aborted.outcome());
    assertEquals(3, aborted.outcome().exitCode());
    assertEquals(StepState.FAILED, state(aborted, "approval"));
  }

  @Test
  void failedStepRollsBackWhatWasDone() throws Exception {
    activities.failApply = true;
    GatedWorkflow run = start("migrate-orders-6", "orders", "alice", false);
    awaitGate(run);
    run.approve(new Approval("bob", ""));

    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(String.class));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("BAD_INPUT", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("column already exists"), cause.getMessage());
    assertEquals(List.of("prepare", "apply", "undo"), activities.verbs());
    RunbookProgress rolledBack = run.progress();
    assertEquals(Outcome.ROLLED_BACK, rolledBack.outcome());
    assertEquals(StepState.FAILED, state(rolledBack, "apply"));
    assertEquals(StepState.COMPENSATED, state(rolledBack, "prepare"));
  }

  @Test
  void secondMutatingRunOnATargetIsRefusedNamingTheFirst() throws Exception {
    GatedWorkflow first = start("migrate-orders-7", "orders", "alice", false);
    awaitGate(first);
    GatedWorkflow other = start("migrate-billing-7", "billing", "carol", false);
    awaitGate(other); // another target runs at the same time

    GatedWorkflow second = start("migrate-orders-8", "orders", "dave", false);
    WorkflowFailedException refused =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(second).getResult(String.class));
    ApplicationFailure cause = (ApplicationFailure) refused.getCause();
    assertEquals("TARGET_LOCKED", cause.getType());
    assertTrue(cause.getOriginalMessage().contains("migrate-orders-7"), cause.getMessage());
    assertTrue(cause.getOriginalMessage().contains("started by alice"), cause.getMessage());
    assertEquals(List.of(), activities.calls.stream().filter(c -> c.contains("-8/")).toList());
    assertEquals(Outcome.FAILED, second.progress().outcome());

    TargetLockWorkflow lock =
        client.newWorkflowStub(TargetLockWorkflow.class, TargetLockWorkflow.workflowId("orders"));
    assertEquals("migrate-orders-7", lock.holder().holderWorkflowId());

    first.approve(new Approval("bob", ""));
    WorkflowStub.fromTyped(first).getResult(String.class);
    other.approve(new Approval("bob", ""));
    WorkflowStub.fromTyped(other).getResult(String.class);

    // Released at the end of the first run: the next one takes the lock.
    GatedWorkflow third = start("migrate-orders-9", "orders", "dave", false);
    awaitGate(third);
    third.approve(new Approval("bob", ""));
    assertEquals("done", WorkflowStub.fromTyped(third).getResult(String.class));
  }

  @Test
  void lockOfARunThatVanishedIsFreed() throws Exception {
    GatedWorkflow first = start("migrate-orders-10", "orders", "alice", false);
    awaitGate(first);
    WorkflowStub.fromTyped(first).terminate("operator killed it");

    // The lock's liveness check notices within a minute of (skipped) time.
    env.sleep(Duration.ofMinutes(2));
    GatedWorkflow next = start("migrate-orders-11", "orders", "dave", false);
    awaitGate(next);
    next.approve(new Approval("bob", ""));
    assertEquals("done", WorkflowStub.fromTyped(next).getResult(String.class));
  }
}
