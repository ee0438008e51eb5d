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
 * Golden histories: runs recorded by deployed code that today's code must replay. Every build runs
 * each scenario, with its assertions, against today's code and replays both that run and the stored
 * history; the stored history is recorded again only on purpose, with {@code
 * -Dgolden.regenerate=true}.
 */
public final class GoldenHistories {
  public static final Path DIR = Path.of("src/test/resources/golden");
  public static final String QUEUE = "golden";

  /** Registers workflows and activities on the worker that records a scenario. */
  public interface Setup {
    void register(Worker worker);
  }

  /**
   * Runs the scenario with its assertions ({@code run} asserts the outcome, a failure included),
   * replays that run, then replays the stored history with {@code workflows}. With {@code
   * -Dgolden.regenerate=true} the new run replaces the stored history first.
   */
  public static void replay(
      String scenario, Setup setup, Consumer<WorkflowClient> run, Class<?>... workflows)
      throws Exception {
    WorkflowExecutionHistory today = record(scenario, setup, run);
    replay(today, workflows);
    if (Boolean.getBoolean("golden.regenerate")) {
      Files.createDirectories(DIR);
      Files.writeString(DIR.resolve(scenario + ".json"), today.toJson(true));
    }
    replay(history(scenario), workflows);
  }

  private static void replay(WorkflowExecutionHistory history, Class<?>... workflows)
      throws Exception {
    WorkflowReplayer.replayWorkflowExecution(
        history, workflows[0], Arrays.copyOfRange(workflows, 1, workflows.length));
  }

  public static WorkflowExecutionHistory history(String scenario) throws Exception {
    return WorkflowExecutionHistory.fromJson(Files.readString(DIR.resolve(scenario + ".json")));
  }

  /** Runs the scenario on a fresh in-process service; returns its history. */
  private static WorkflowExecutionHistory record(
      String scenario, Setup setup, Consumer<WorkflowClient> run) {
    try (TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance()) {
      for (var key : RunbookSearchAttributes.ALL) {
        env.registerSearchAttribute(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
      }
      setup.register(env.newWorker(QUEUE));
      env.start();
      run.accept(env.getWorkflowClient());
      return env.getWorkflowClient().fetchHistory(scenario);
    }
  }

  private GoldenHistories() {}
}
