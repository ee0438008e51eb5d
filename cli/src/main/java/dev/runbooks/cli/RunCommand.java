package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * A command about one run that exists (status, watch, approve, abort): the run's workflow ID, the
 * connection to the Temporal that holds it, and following it to its end.
 */
abstract class RunCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "ID", description = "The run's workflow ID.")
  String workflowId;

  /** The Temporal the connection options name; the caller closes it. */
  final TemporalConnection connect() {
    return connection.connect(root.env());
  }

  /**
   * The run's state, when it still runs.
   *
   * @param ended how the refusal says the run has ended, e.g. "has ended"
   * @param action what there is nothing left to do, e.g. "approve"
   * @throws UsageException when the run has ended: the request is wrong for its state (exit 2)
   */
  final RunState fetchRunning(TemporalConnection temporal, String ended, String action) {
    RunState state = RunState.fetch(temporal.client(), workflowId);
    if (!state.running()) {
      throw new UsageException(
          "run "
              + workflowId
              + " "
              + ended
              + " ("
              + state.outcome()
              + "): nothing to "
              + action
              + ".");
    }
    return state;
  }

  /**
   * Follows the run to its end, printing its progress to {@code out}.
   *
   * @return the run's exit code
   */
  final int follow(TemporalConnection temporal, PrintWriter out) throws InterruptedException {
    return followToEnd(temporal, out).exitCode();
  }

  /** Follows the run to its end, printing its progress to {@code out}, and returns its end. */
  final RunState followToEnd(TemporalConnection temporal, PrintWriter out)
      throws InterruptedException {
    return new Follower(temporal.client(), out, root.screen(), Clock.systemUTC())
        .follow(workflowId);
  }
}
