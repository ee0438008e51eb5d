package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "check",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the health check of a target: connectivity, privileges, size, replicas, long"
          + " transactions, lock chains, connections and slow statements. Read-only.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run, prints the report, and exits 1 when a finding is CRITICAL."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook check --target orders --wait")
final class CheckCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;
  @Mixin RunOptions run;

  @Mixin TargetOption target;

  @Option(
      names = "--long-transaction",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Report transactions open longer than this (5m, PT5M). Default: check.longTransaction"
              + " in the configuration, else 5m.")
  Duration longTransaction;

  @Mixin RunIdOption runId;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> env = root.env();
    RunbooksConfig config = connection.loadConfig(env);
    TargetConfig targetConfig = config.target(target.name());
    runId.value(); // an empty --id is refused before anything starts
    Duration threshold =
        longTransaction != null ? longTransaction : config.check().longTransaction();
    if (run.embedded) {
      try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, connection.taskQueue())) {
        return startAndFollow(local.connection(), targetConfig, threshold, true);
      }
    }
    try (TemporalConnection temporal = connection.connect(env)) {
      return startAndFollow(temporal, targetConfig, threshold, run.follow());
    }
  }

  private int startAndFollow(
      TemporalConnection temporal, TargetConfig targetConfig, Duration threshold, boolean follow)
      throws InterruptedException {
    CheckRunner runner =
        new CheckRunner(temporal.client(), connection.taskQueue(), Identity.user(root.env()));
    String id = runner.start(targetConfig, threshold, runId.value());
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!follow) {
      out.println(connection.json() ? Json.write(Map.of("workflowId", id)) : id);
      err.println("Started. Follow it with: runbook watch " + id);
      return ExitCodes.DONE;
    }
    // JSON goes to stdout in one piece; the live lines go to stderr then.
    PrintWriter live = connection.json() ? err : out;
    live.println("Started " + id + " on " + temporal.address());
    CheckRunner.Finished finished =
        runner.follow(
            id, new Follower(temporal.client(), live, root.terminal(), Clock.systemUTC()));
    if (connection.json()) {
      out.println(Json.write(CheckReport.json(finished.result(), finished.end())));
    } else if (finished.result() != null) {
      CheckReport.printText(finished.result(), targetConfig.primary().toString(), out);
    }
    return finished.exitCode();
  }
}
