package dev.runbooks.workflows.check;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Golden histories of the check workflow: today's code must replay runs recorded by the code that
 * is deployed. Regenerate them only on purpose: {@code -Dgolden.regenerate=true}.
 */
class CheckWorkflowReplayTest {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");

  @ParameterizedTest
  @ValueSource(strings = {"check-healthy", "check-critical-replica", "check-primary-down"})
  void replaysGoldenHistory(String scenario) throws Exception {
    if (Boolean.getBoolean("golden.regenerate")) {
      record(scenario);
    }
    WorkflowReplayer.replayWorkflowExecution(
        GOLDEN.resolve(scenario + ".json").toFile(), CheckWorkflowImpl.class);
  }

  @Test
  void aHistoryFromAnotherWorkflowDoesNotReplay() throws Exception {
    // Guards the guard: a replay that cannot fail would prove nothing.
    String json = Files.readString(GOLDEN.resolve("check-healthy.json"));
    String tampered = json.replace("\"CheckReplicas\"", "\"CheckDatabaseSize\"");
    WorkflowExecutionHistory history = WorkflowExecutionHistory.fromJson(tampered);
    assertThrows(
        RuntimeException.class,
        () -> WorkflowReplayer.replayWorkflowExecution(history, CheckWorkflowImpl.class));
  }

  private static void record(String scenario) throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      for (var key : RunbookSearchAttributes.ALL) {
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      FakeCheckActivities activities = new FakeCheckActivities();
      activities.replicaLagging = scenario.contains("replica");
      activities.primaryDown = scenario.contains("down");
      Worker worker = env.newWorker(CheckWorkflowTest.QUEUE);
      worker.registerWorkflowImplementationTypes(CheckWorkflowImpl.class);
      worker.registerActivitiesImplementations(activities);
      env.start();
      String id = scenario + "-golden";
      CheckWorkflow run =
          env.getWorkflowClient()
              .newWorkflowStub(
                  CheckWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(id)
                      .setTaskQueue(CheckWorkflowTest.QUEUE)
                      .build());
      run.run(CheckWorkflowTest.request());
      WorkflowExecutionHistory history = env.getWorkflowClient().fetchHistory(id);
      Files.createDirectories(GOLDEN);
      Files.writeString(GOLDEN.resolve(scenario + ".json"), history.toJson(true));
    }
  }
}
