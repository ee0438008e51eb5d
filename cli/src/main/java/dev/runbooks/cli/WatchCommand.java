package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "watch",
    mixinStandardHelpOptions = true,
    description = {
      "Follows a run live until it ends, then exits with its exit code.",
      "On a terminal the step list redraws in place with a progress bar for long steps;"
          + " otherwise one line is printed per change."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook watch check-orders-20250301T101500")
final class WatchCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Parameters(paramLabel = "ID", description = "The run's workflow ID.")
  String workflowId;

  @Override
  public Integer call() throws InterruptedException {
    try (TemporalConnection temporal = connection.connect(root.env())) {
      Follower follower =
          new Follower(
              temporal.client(), spec.commandLine().getOut(), root.terminal(), Clock.systemUTC());
      return follower.follow(workflowId).exitCode();
    }
  }
}
