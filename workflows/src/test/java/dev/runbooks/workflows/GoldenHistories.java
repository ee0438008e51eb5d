package dev.runbooks.workflows;

import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.client.WorkflowClient;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Golden histories: runs recorded by deployed code that today's code must replay. They are recorded
 * again only on purpose, with {@code -Dgolden.regenerate=true}.
 */
public final class GoldenHistories {
  public static final Path DIR = Path.of("src/test/resources/golden");
  public static final String QUEUE = "golden";

  /** Registers workflows and activities on the worker that records a scenario. */
  public interface Setup {
    void register(Worker worker);
  }

  /** Records the scenario when asked to, then replays its history with {@code workflows}. */
  public static void replay(
      String scenario, Setup setup, Consumer<WorkflowClient> run, Class<?>... workflows)
      throws Exception {
    if (Boolean.getBoolean("golden.regenerate")) {
      record(scenario, setup, run);
    }
    WorkflowReplayer.replayWorkflowExecution(
        history(scenario), workflows[0], Arrays.copyOfRange(workflows, 1, workflows.length));
  }

  public static WorkflowExecutionHistory history(String scenario) throws Exception {
    return WorkflowExecutionHistory.fromJson(Files.readString(DIR.resolve(scenario + ".json")));
  }

  private static void record(String scenario, Setup setup, Consumer<WorkflowClient> run)
      throws Exception {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      for (var key : RunbookSearchAttributes.ALL) {
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      setup.register(env.newWorker(QUEUE));
      env.start();
      try {
        run.accept(env.getWorkflowClient());
      } catch (RuntimeException expectedFailure) {
        // Failing scenarios are recorded too.
      }
      WorkflowExecutionHistory history = env.getWorkflowClient().fetchHistory(scenario);
      Files.createDirectories(DIR);
      Files.writeString(DIR.resolve(scenario + ".json"), history.toJson(true));
    }
  }

  private GoldenHistories() {}
}
