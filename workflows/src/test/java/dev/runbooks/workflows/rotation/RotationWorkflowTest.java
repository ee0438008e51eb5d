package dev.runbooks.workflows.rotation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.check.FakeCheckActivities;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RotationWorkflowTest {
  static final String QUEUE = "rotation-test";

  private TestWorkflowEnvironment env;
  private FakeRotationActivities activities;

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    activities = new FakeRotationActivities();
    Worker worker = env.newWorker(QUEUE);
    worker.registerWorkflowImplementationTypes(RotationWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, new FakeCheckActivities());
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  static RotationRequest request(RotationStrategy strategy) {
    return new RotationRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
        "app",
        strategy,
        Duration.ofMinutes(15));
  }

  private RotationWorkflow stub(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            RotationWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
  }

  private RunbookProgress progress(String id) {
    return env.getWorkflowClient().newWorkflowStub(RotationWorkflow.class, id).progress();
  }

  private static Step step(RunbookProgress progress, String name) {
    return progress.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void renewsTheOtherLoginWaitsOutTheGraceThenExpiresThePreviousOne() {
    RotationResult result = stub("rotate-1").run(request(RotationStrategy.ALTERNATING));

    assertEquals("app_b", result.renewedLogin());
    assertEquals(4, result.newVersion());
    assertEquals(3, result.previousVersion());
    assertEquals("app_a", result.previousLogin());
    assertEquals("app_a", result.expiredLogin());
    assertEquals(2, result.sessionsTerminated());
    assertEquals(Duration.ofMinutes(15), result.grace());
    assertTrue(
        result.rotationDuration().compareTo(Duration.ofMinutes(15)) < 0,
        "the grace period is not counted: " + result.rotationDuration());
    assertEquals("db/orders/roles/app", result.secretPath());
    assertEquals(
        List.of("lock orders", "prepare app", "renew app_b cas 3", "expire app_a", "unlock orders"),
        activities.calls);
    RunbookProgress progress = progress("rotate-1");
    assertEquals(Outcome.SUCCEEDED, progress.outcome());
    for (String name : RotationWorkflowImpl.STEPS) {
      assertEquals(StepState.DONE, step(progress, name).state(), name);
    }
    assertTrue(step(progress, "renew").detail().contains("db/orders/roles/app@4"));
  }

  @Test
  void theFirstRotationHasNothingToExpire() {
    activities.firstRotation = true;
    RotationResult result = stub("rotate-2").run(request(RotationStrategy.ALTERNATING));

    assertEquals("app_a", result.renewedLogin());
    assertEquals(1, result.newVersion());
    assertEquals(null, result.expiredLogin());
    RunbookProgress progress = progress("rotate-2");
    assertEquals(StepState.SKIPPED, step(progress, "grace").state());
    assertEquals(StepState.SKIPPED, step(progress, "expire").state());
    assertTrue(step(progress, "prepare").detail().contains("created app_a, app_b"));
  }

  @Test
  void singleReplacesThePasswordWithoutGrace() {
    RotationResult result = stub("rotate-3").run(request(RotationStrategy.SINGLE));

    assertEquals("app", result.renewedLogin());
    assertEquals(Duration.ZERO, result.grace());
    RunbookProgress progress = progress("rotate-3");
    assertTrue(step(progress, "grace").detail().contains("single strategy"));
    assertFalse(activities.calls.stream().anyMatch(c -> c.startsWith("expire")));
  }

  @Test
  void aFailedRenewalPutsTheLoginBackAndRollsBack() {
    activities.renewFails = true;
    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () -> stub("rotate-4").run(request(RotationStrategy.ALTERNATING)));

    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("AUTHENTICATION", failure.getType());
    assertTrue(activities.calls.contains("restore app_b"), activities.calls.toString());
    assertFalse(activities.calls.stream().anyMatch(c -> c.startsWith("expire")));
    RunbookProgress progress = progress("rotate-4");
    assertEquals(Outcome.ROLLED_BACK, progress.outcome());
    assertEquals(StepState.COMPENSATED, step(progress, "renew").state());
    assertEquals("unlock orders", activities.calls.get(activities.calls.size() - 1));
  }

  @Test
  void aFailedFirstRotationDropsTheLoginsItCreated() {
    activities.firstRotation = true;
    activities.renewFails = true;
    assertThrows(
        WorkflowFailedException.class,
        () -> stub("rotate-7").run(request(RotationStrategy.ALTERNATING)));

    int restore = activities.calls.indexOf("restore app_a");
    int drop = activities.calls.indexOf("drop app_a, app_b");
    assertTrue(restore >= 0 && drop > restore, activities.calls.toString());
    RunbookProgress progress = progress("rotate-7");
    assertEquals(Outcome.ROLLED_BACK, progress.outcome());
    assertEquals(StepState.COMPENSATED, step(progress, "prepare").state());
    assertTrue(progress.outcomeDetail().contains("rolled back 2 steps"), progress.outcomeDetail());
  }

  @Test
  void aFailureAfterPublicationNamesBothVersionsAndUndoesNothing() {
    activities.expireFails = true;
    WorkflowFailedException e =
        assertThrows(
            WorkflowFailedException.class,
            () -> stub("rotate-5").run(request(RotationStrategy.ALTERNATING)));

    ApplicationFailure failure = assertInstanceOf(ApplicationFailure.class, e.getCause());
    assertEquals("PERMISSION_DENIED", failure.getType());
    String message = failure.getOriginalMessage();
    assertTrue(message.contains("db/orders/roles/app@4"), message);
    assertTrue(message.contains("db/orders/roles/app@3"), message);
    assertTrue(message.contains("app_a"), message);
    assertFalse(activities.calls.stream().anyMatch(c -> c.startsWith("restore")));
    assertEquals(Outcome.FAILED, progress("rotate-5").outcome());
  }

  @Test
  void aMissingRoleStopsAtPrepareWithNothingToUndo() {
    activities.roleMissing = true;
    WorkflowStub run = WorkflowStub.fromTyped(stub("rotate-6"));
    run.start(request(RotationStrategy.ALTERNATING));
    WorkflowFailedException e =
        assertThrows(WorkflowFailedException.class, () -> run.getResult(RotationResult.class));

    assertEquals("NOT_FOUND", ((ApplicationFailure) e.getCause()).getType());
    assertEquals(Outcome.FAILED, progress("rotate-6").outcome());
    assertFalse(activities.calls.stream().anyMatch(c -> c.startsWith("renew")));
  }
}
