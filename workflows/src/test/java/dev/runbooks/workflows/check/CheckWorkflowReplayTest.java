package dev.runbooks.workflows.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.workflows.GoldenHistories;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Today's check workflow must replay runs recorded by the deployed one. */
class CheckWorkflowReplayTest {
  @ParameterizedTest
  @ValueSource(strings = {"check-healthy", "check-critical-replica", "check-primary-down"})
  void replaysGoldenHistory(String scenario) throws Exception {
    FakeCheckActivities activities = new FakeCheckActivities();
    activities.replicaLagging = scenario.contains("replica");
    activities.primaryDown = scenario.contains("down");
    GoldenHistories.replay(
        scenario,
        worker -> {
          worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
          worker.registerActivitiesImplementations(activities);
        },
        client -> {
          CheckResult result = run(client, scenario);
          // The healthy fake has one long transaction (a warning); the others a critical fault.
          assertEquals(
              scenario.equals("check-healthy") ? Severity.WARN : Severity.CRITICAL,
              result.worst(),
              result.findings().toString());
        },
        CheckWorkflowImpl.class);
  }

  private static CheckResult run(WorkflowClient client, String id) {
    return client
        .newWorkflowStub(
            CheckWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(id)
                .setTaskQueue(GoldenHistories.QUEUE)
                .build())
        .run(CheckWorkflowTest.request());
  }

  /** Recorded after the check began asking the pooler in front of the primary. */
  @Test
  void replaysACheckThatAskedThePooler() throws Exception {
    GoldenHistories.replay(
        "check-pooler",
        worker -> {
          worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
          worker.registerActivitiesImplementations(new FakeCheckActivities());
        },
        client -> {
          CheckResult result = run(client, "check-pooler");
          assertEquals(
              1,
              result.findings().stream().filter(f -> f.check().equals("pooler")).count(),
              result.findings().toString());
        },
        CheckWorkflowImpl.class);
  }

  @Test
  void aHistoryFromAnotherWorkflowDoesNotReplay() throws Exception {
    // Guards the guard: a replay that cannot fail would prove nothing.
    String json = Files.readString(GoldenHistories.DIR.resolve("check-healthy.json"));
    String tampered = json.replace("\"CheckReplicas\"", "\"CheckDatabaseSize\"");
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(tampered);
    assertThrows(
        RuntimeException.class,
        () -> WorkflowReplayer.replayWorkflowExecution(history, CheckWorkflowImpl.class));
  }
}
