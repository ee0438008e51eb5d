package dev.runbooks.workflows.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
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

class FailoverWorkflowTest {
  private TestWorkflowEnvironment env;
  private final FakeFailoverActivities activities = new FakeFailoverActivities();

  static RunbookRequest runbook() {
    return new RunbookRequest("orders", "alice", false, Duration.ofHours(1));
  }

  @BeforeEach
  void setUp() {
    env = TestWorkflowEnvironment.newInstance();
    for (var key : RunbookSearchAttributes.ALL) {
      env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    Worker worker = env.newWorker("failover");
    worker.registerWorkflowImplementationTypes(FailoverWorkflowImpl.class);
    worker.registerActivitiesImplementations(activities, new FakeTargetLocks());
    env.start();
  }

  @AfterEach
  void tearDown() {
    env.close();
  }

  private FailoverWorkflow run(String id) {
    return env.getWorkflowClient()
        .newWorkflowStub(
            FailoverWorkflow.class,
            WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue("failover").build());
  }

  @Test
  void switchoverFencesCatchesUpPromotesAndReportsTheOutage() {
    FailoverWorkflow run = run("failover-orders-ok");
    FailoverResult result = run.run(new FailoverRequest(runbook(), null, null, false, false));
    assertEquals("db2", result.newPrimary());
    assertEquals(Long.valueOf(0), result.bytesLost());
    assertEquals(Duration.ofMillis(400), result.writeOutage());
    assertEquals(List.of("db3"), result.repointed());
    assertEquals(
        List.of(
            "inspect",
            "fence",
            "catchUp db2",
            "promote db2",
            "verify db2 [app]",
            "repoint db3",
            "publish db2",
            "rejoin"),
        activities.calls);
    assertEquals(Outcome.SUCCEEDED, run.progress().outcome());
  }

  @Test
  void failedPromotionUnfencesOnlyWhileTheCandidateIsStillAReplica() {
    activities.failPromotion = true;
    FailoverWorkflow run = run("failover-orders-promote-fails");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> run.run(new FailoverRequest(runbook(), "db2", null, false, false)));
    assertEquals("PERMISSION_DENIED", ((ApplicationFailure) failed.getCause()).getType());
    assertEquals(Outcome.ROLLED_BACK, run.progress().outcome());
    assertEquals(StepState.COMPENSATED, run.progress().steps().get(2).state());
    assertTrue(
        activities.calls.containsAll(List.of("isInRecovery db2", "unfence")),
        activities.calls.toString());
  }

  @Test
  void anApprovalGateHoldsTheFenceUntilSomeoneApproves() {
    activities.approvalRequired = true;
    FailoverWorkflow run = run("failover-orders-gated");
    WorkflowClient.start(run::run, new FailoverRequest(runbook(), null, null, false, false));
    env.sleep(Duration.ofMinutes(5));
    assertEquals("approve", run.progress().awaitingApproval());
    assertEquals(List.of("inspect"), activities.calls);
    run.approve(new Approval("bob", "go"));
    FailoverResult result = WorkflowStub.fromTyped(run).getResult(FailoverResult.class);
    assertEquals("db2", result.newPrimary());
    assertTrue(activities.calls.contains("fence"));
  }

  @Test
  void aFailedRejoinKeepsTheSwitchoverAndReportsTheStateReadBackAndTheNextStep() {
    activities.rejoinAnswer =
        new Rejoin(
            false,
            true,
            "not rejoined: pg_rewind exited with 1",
            List.of("rebuild it with pg_basebackup", "update runbooks.yaml"),
            List.of(
                new ServerState(
                    "primary", "db1:5432", "stopped (no server runs in /d)", null, "", "", ""),
                new ServerState("db2", "db2:5432", ServerState.RUNNING, false, "", "", "")));
    FailoverWorkflow run = run("failover-orders-rejoin-fails");
    FailoverResult result = run.run(new FailoverRequest(runbook(), null, null, false, true));

    assertEquals(Outcome.SUCCEEDED, run.progress().outcome());
    assertEquals(StepState.FAILED, run.progress().steps().get(8).state());
    assertEquals("stopped (no server runs in /d); keep it stopped", result.oldPrimaryState());
    assertEquals(2, result.servers().size());
    assertEquals(
        "The switchover itself succeeded: db2 is the primary and takes writes. The rejoin of the"
            + " old primary FAILED: not rejoined: pg_rewind exited with 1. The old primary is"
            + " stopped (no server runs in /d); keep it stopped. Next step: rebuild it with"
            + " pg_basebackup",
        result.warning());
    assertEquals(result.warning(), run.progress().outcomeDetail());
  }

  @Test
  void aRejoinStepThatCannotAnswerReportsTheOldPrimaryAsUnknownNotAsAssumed() {
    activities.failRejoin = true;
    FailoverWorkflow run = run("failover-orders-rejoin-lost");
    FailoverResult result = run.run(new FailoverRequest(runbook(), null, null, false, true));

    assertEquals(Outcome.SUCCEEDED, run.progress().outcome());
    assertEquals(StepState.FAILED, run.progress().steps().get(8).state());
    assertTrue(result.oldPrimaryState().startsWith("unknown"), result.oldPrimaryState());
    assertTrue(result.warning().contains("lost the worker's host"), result.warning());
    assertTrue(result.manualSteps().get(0).contains("by hand"), result.manualSteps().toString());
  }

  @Test
  void forceRefusesAPrimaryThatAnswers() {
    FailoverWorkflow run = run("failover-orders-force-up");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> run.run(new FailoverRequest(runbook(), null, null, true, false)));
    assertEquals("PREFLIGHT_FAILED", ((ApplicationFailure) failed.getCause()).getType());
    assertEquals(List.of("inspect"), activities.calls);
  }
}
