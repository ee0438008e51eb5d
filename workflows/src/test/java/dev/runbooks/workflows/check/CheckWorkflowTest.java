package dev.runbooks.workflows.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CheckWorkflowTest {
  static final String QUEUE = "check-test";

  private TestWorkflowEnvironment env;
  private FakeCheckActivities activities;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    activities = new FakeCheckActivities();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities);
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  static CheckRequest request() {
    return new CheckRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)), Duration.ofMinutes(5));
  }

  private CheckWorkflow newRun(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            CheckWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
  }

  @Test
  void healthyTargetSucceedsWithEveryCheckDone() {
    CheckWorkflow run = newRun("check-orders-1");
    CheckResult result = run.run(request());

    assertEquals(Severity.WARN, result.worst());
    assertEquals(9, result.findings().size());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.SUCCEEDED, progress.outcome());
    assertEquals(CheckWorkflowImpl.stepNames(), progress.steps().stream().map(Step::name).toList());
    assertTrue(progress.steps().stream().allMatch(s -> s.state() == StepState.DONE));
    assertEquals(
        "WARN pid 4242 open for 12 min",
        progress.steps().stream()
            .filter(s -> s.name().equals("long-transactions"))
            .findFirst()
            .orElseThrow()
            .detail());
    assertEquals(
        "OK no pooler is configured for orders",
        progress.steps().stream()
            .filter(s -> s.name().equals("pooler"))
            .findFirst()
            .orElseThrow()
            .detail());
    String kind =
        env.getWorkflowClient()
            .newUntypedWorkflowStub("check-orders-1")
            .describe()
            .getTypedSearchAttributes()
            .get(RunbookSearchAttributes.KIND);
    assertEquals("check", kind);
  }

  @Test
  void criticalFindingFailsTheOutcomeButKeepsTheReport() {
    activities.replicaLagging = true;
    CheckWorkflow run = newRun("check-orders-2");
    CheckResult result = run.run(request());

    assertEquals(Severity.CRITICAL, result.worst());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.FAILED, progress.outcome());
    assertEquals(1, progress.outcome().exitCode());
    assertEquals("1 critical finding on orders", progress.outcomeDetail());
  }

  @Test
  void unreachablePrimarySkipsTheOtherChecks() {
    activities.primaryDown = true;
    CheckWorkflow run = newRun("check-orders-3");
    CheckResult result = run.run(request());

    assertEquals(1, result.findings().size());
    List<StepState> states = run.progress().steps().stream().map(Step::state).toList();
    assertEquals(StepState.DONE, states.get(0));
    assertTrue(states.subList(1, states.size()).stream().allMatch(s -> s == StepState.SKIPPED));
  }

  @Test
  void aCheckThatCannotRunBecomesACriticalFinding() {
    activities.locksBroken = true;
    CheckWorkflow run = newRun("check-orders-4");
    CheckResult result = run.run(request());

    Finding locks =
        result.findings().stream()
            .filter(f -> f.check().equals("lock-chains"))
            .findFirst()
            .orElseThrow();
    assertEquals(Severity.CRITICAL, locks.severity());
    assertTrue(locks.summary().contains("pg_blocking_pids"), locks.summary());
    assertEquals(9, result.findings().size(), "the checks after it still ran");
    Step step =
        run.progress().steps().stream()
            .filter(s -> s.name().equals("lock-chains"))
            .findFirst()
            .orElseThrow();
    assertEquals(StepState.FAILED, step.state());
  }

  @Test
  void wrongAdminPasswordFailsTheRunWithoutRetrying() {
    activities.wrongPassword = true;
    CheckWorkflow run = newRun("check-orders-5");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(request()));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("AUTHENTICATION", cause.getType());
    assertEquals(Outcome.FAILED, run.progress().outcome());
    assertTrue(
        run.progress().outcomeDetail().contains("password authentication failed"),
        run.progress().outcomeDetail());
  }

  @Test
  void startedRunShowsItsPlanBeforeItFinishes() {
    CheckWorkflow run = newRun("check-orders-6");
    WorkflowClient.start(run::run, request());
    RunbookProgress progress = run.progress();
    assertEquals(9, progress.steps().size());
    assertEquals("orders", progress.target());
    assertEquals("alice", progress.initiator());
  }
}
