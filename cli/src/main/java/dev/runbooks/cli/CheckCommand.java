package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

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
final class CheckCommand extends LaunchCommand {
  @Option(
      names = "--long-transaction",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Report transactions open longer than this (5m, PT5M). Default: check.longTransaction"
              + " in the configuration, else 5m.")
  Duration longTransaction;

  @Override
  public Integer call() throws InterruptedException {
    Map<String, String> env = root.env();
    RunbooksConfig config = connection.loadConfig(env);
    config.target(target.name()); // an unknown target is refused before anything starts
    runId.value(); // an empty --id is refused before anything starts
    Duration threshold =
        longTransaction != null ? longTransaction : config.check().longTransaction();
    if (run.embedded) {
      try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, connection.taskQueue())) {
        return startAndFollow(local.connection(), config, threshold, true);
      }
    }
    try (TemporalConnection temporal = connection.connect(env)) {
      return startAndFollow(temporal, config, threshold, run.follow());
    }
  }

  private int startAndFollow(
      TemporalConnection temporal, RunbooksConfig config, Duration threshold, boolean follow)
      throws InterruptedException {
    TargetConfig targetConfig = config.target(target.name());
    CheckRunner runner = new CheckRunner(temporal.client(), connection.taskQueue(), user());
    String id = runner.start(targetConfig, threshold, runId.value());
    Launcher launcher = launcher();
    if (!follow) {
      return launcher.printStarted(id);
    }
    PrintWriter live = launcher.announce(id, temporal);
    PrintWriter out = spec.commandLine().getOut();
    CheckRunner.Finished finished =
        runner.follow(id, new Follower(temporal.client(), live, root.screen(), Clock.systemUTC()));
    Optional<ConfigDrift.Worker> worker = ConfigDrift.worker(finished.result());
    if (connection.json()) {
      out.println(Json.write(CheckReport.json(finished.result(), finished.end())));
    } else if (finished.result() != null) {
      String where =
          worker.map(ConfigDrift.Worker::primary).orElse(targetConfig.primary().toString());
      CheckReport.printText(finished.result(), where, out);
    }
    worker.flatMap(w -> ConfigDrift.note(w, config, target.name())).ifPresent(live::println);
    return finished.exitCode();
  }
}
