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
   * Follows the run to its end, printing its progress to {@code out}.
   *
   * @return the run's exit code
   */
  final int follow(TemporalConnection temporal, PrintWriter out) throws InterruptedException {
    return new Follower(temporal.client(), out, root.terminal(), Clock.systemUTC())
        .follow(workflowId)
        .exitCode();
  }
}
