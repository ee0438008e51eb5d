package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import picocli.CommandLine.Command;

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
final class WatchCommand extends RunCommand {
  @Override
  public Integer call() throws InterruptedException {
    connection.textOnly(
        "watch",
        "'runbook status ID -o json' prints the run as JSON; poll it, or start runs with --wait"
            + " -o json");
    try (TemporalConnection temporal = connect()) {
      return follow(temporal, spec.commandLine().getOut());
    }
  }
}
