package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.worker.metrics.MetricsEndpoint;
import dev.runbooks.worker.metrics.RunbooksMetrics;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "worker",
    mixinStandardHelpOptions = true,
    description = {
      "Runs a worker for the configured targets against an existing Temporal, until stopped."
          + " At start it waits up to 5 minutes for Temporal to answer, saying so on stderr.",
      "Connection settings come from Temporal's environment configuration (TEMPORAL_ADDRESS,"
          + " TEMPORAL_NAMESPACE, TLS and API-key variables, temporal.toml profiles) and the"
          + " options below."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook worker --config /etc/runbooks/runbooks.yaml \\",
      "      --temporal temporal.internal:7233"
    })
final class WorkerCommand implements Callable<Integer>, Logs.Foreground {
  /**
   * How long a worker waits for Temporal at start: in a compose stack or under load the server
   * comes up after the worker, and exiting after seconds only made the supervisor start it again.
   */
  static final Duration START_PATIENCE = Duration.ofMinutes(5);

  /** A scrape every 15 s reads each repository at most every 30 s. */
  static final Duration METRICS_CACHE = Duration.ofSeconds(30);

  /** Open runs (approvals waiting, locks held) are listed at most every 10 s. */
  static final Duration METRICS_RUNS_CACHE = Duration.ofSeconds(10);

  /** After the repositories' 5 s, the open runs' 3 s keep a scrape under 10 s. */
  static final Duration METRICS_RUNS_BUDGET = Duration.ofSeconds(3);

  /** Under Prometheus's default 10 s scrape timeout, so a slow repository never fails a scrape. */
  static final Duration METRICS_BUDGET = Duration.ofSeconds(5);

  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--metrics-port",
      paramLabel = "PORT",
      description =
          "Serve Prometheus metrics at http://0.0.0.0:PORT/metrics (runbooks/metrics.md); 0 picks"
              + " a free port, printed at start.")
  Integer metricsPort;

  @Override
  public Integer call() throws Exception {
    connection.textOnly("worker", "its log lines are JSON with --log-format json");
    RunbooksConfig config = connection.loadConfig(root.env());
    String queue = connection.taskQueue();
    PrintWriter err = spec.commandLine().getErr();
    TemporalConnection.Patience patience =
        new TemporalConnection.Patience(
            START_PATIENCE,
            line -> {
              err.println("runbook worker: " + line);
              err.flush();
            });
    ConfigSource source = ConfigSource.reloading(config, root.env());
    RunbooksMetrics metrics =
        metricsPort == null
            ? null
            : RunbooksMetrics.forConfig(source, METRICS_CACHE, METRICS_BUDGET);
    TemporalConnection temporal =
        metrics == null
            ? connection.connect(root.env(), patience)
            : connection.connect(root.env(), patience, metrics.temporalScope());
    if (metrics != null) {
      metrics.watchChecks(temporal.client());
      metrics.readRunsFrom(temporal.client());
    }
    MetricsEndpoint endpoint =
        metrics == null ? null : MetricsEndpoint.start(new InetSocketAddress(metricsPort), metrics);
    RunbookWorker worker;
    try {
      Activities activities = Activities.build(source, temporal.client(), queue);
      if (metrics == null) {
        worker = RunbookWorker.start(temporal.client(), queue, activities);
      } else {
        metrics.watchRuns(temporal.client(), METRICS_RUNS_CACHE, METRICS_RUNS_BUDGET);
        worker = RunbookWorker.start(temporal.client(), queue, activities, metrics.stepTimer());
      }
    } catch (RuntimeException e) {
      temporal.close();
      closeMetrics(endpoint, metrics);
      throw e;
    }
    PrintWriter out = spec.commandLine().getOut();
    out.println(
        "Worker on "
            + temporal.address()
            + ", namespace "
            + temporal.namespace()
            + ", task queue "
            + queue
            + (endpoint == null ? "" : ", metrics on port " + endpoint.port())
            + ", for targets: "
            + String.join(", ", config.targets().keySet())
            + " ("
            + config.file()
            + "; edits are picked up by the next run, no restart needed). Stop it with Ctrl-C.");
    out.flush();
    Foreground.runUntilStopped(
        () -> {
          worker.close();
          temporal.close();
          closeMetrics(endpoint, metrics);
        });
    return ExitCodes.DONE;
  }

  private static void closeMetrics(MetricsEndpoint endpoint, RunbooksMetrics metrics) {
    if (endpoint != null) {
      endpoint.close();
    }
    if (metrics != null) {
      metrics.close();
    }
  }
}
