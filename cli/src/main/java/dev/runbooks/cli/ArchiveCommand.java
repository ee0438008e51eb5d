package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.pitr.ArchiverStatus;
import dev.runbooks.workflows.pitr.WalArchiveState;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "archive",
    mixinStandardHelpOptions = true,
    description = {
      "The target's continuous WAL archive: a long-running archiver streams the primary's WAL"
          + " (pg_receivewal, no agent on the database host) into the backup repository,"
          + " compressed and encrypted, at most a few seconds behind. See runbooks/pitr.md."
    },
    subcommands = {
      ArchiveCommand.Start.class,
      ArchiveCommand.Stop.class,
      ArchiveCommand.Status.class
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook archive start --target orders",
      "  runbook archive status --target orders"
    })
final class ArchiveCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is missing: start, stop or status");
  }

  /** What every subcommand shares: the connection, the target, the configuration's check. */
  abstract static class Subcommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ArchiveCommand parent;
    @Mixin ConnectionOptions connection;
    @Mixin TargetOption target;

    @Override
    public final Integer call() {
      connection.loadConfig(parent.root.env()).target(target.name());
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        return run(temporal, spec.commandLine().getOut());
      }
    }

    abstract int run(TemporalConnection temporal, PrintWriter out);
  }

  @Command(
      name = "start",
      mixinStandardHelpOptions = true,
      description = "Starts the target's archiver (once: a running one is left as it is).")
  static final class Start extends Subcommand {
    @Override
    int run(TemporalConnection temporal, PrintWriter out) {
      String id = WalArchiverWorkflow.workflowId(target.name());
      boolean started =
          ArchiveRuns.start(
              temporal.client(),
              connection.taskQueue(),
              target.name(),
              Identity.user(parent.root.env()));
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", target.name());
        json.put("workflowId", id);
        json.put("started", started);
        out.println(Json.write(json));
        return ExitCodes.DONE;
      }
      out.println(
          started
              ? "started the WAL archiver of " + target.name() + ": " + id
              : "the WAL archiver of " + target.name() + " runs already: " + id);
      return ExitCodes.DONE;
    }
  }

  @Command(
      name = "stop",
      mixinStandardHelpOptions = true,
      description =
          "Stops the target's archiver once its session has stored what it received. The"
              + " replication slot stays and keeps WAL on the primary until the archiver runs"
              + " again: drop it (pg_drop_replication_slot) when the archive is retired.")
  static final class Stop extends Subcommand {
    @Override
    int run(TemporalConnection temporal, PrintWriter out) {
      boolean stopped =
          ArchiveRuns.stop(
              temporal.client(),
              target.name(),
              "runbook archive stop by " + Identity.user(parent.root.env()),
              Duration.ofMinutes(2));
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("target", target.name());
        json.put("stopped", stopped);
        out.println(Json.write(json));
        return ExitCodes.DONE;
      }
      out.println(
          stopped
              ? "stopped the WAL archiver of " + target.name()
              : "no WAL archiver runs for " + target.name() + ": nothing to stop");
      return ExitCodes.DONE;
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = {
        "The archiver's state and the archive's: how far it reaches, its lag behind the"
            + " primary, its gaps, the slot.",
        "Exits 1 when no archiver runs or the archive is further behind than walFreshness."
      })
  static final class Status extends Subcommand {
    @Override
    int run(TemporalConnection temporal, PrintWriter out) {
      Optional<ArchiverStatus> archiver = ArchiveRuns.status(temporal.client(), target.name());
      WalArchiveState state =
          ArchiveRuns.state(
              temporal.client(), connection.taskQueue(), target.name(), Clock.systemUTC());
      Duration limit =
          connection.loadConfig(parent.root.env()).target(target.name()).walFreshness();
      ArchiveReport.Freshness freshness = ArchiveReport.freshness(state, limit);
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("archiver", archiver.orElse(null));
        json.put("archive", state);
        json.put("fresh", freshness.fresh());
        out.println(Json.write(json));
      } else {
        ArchiveReport.printArchiver(target.name(), archiver, out);
        ArchiveReport.printState(state, limit, out);
      }
      if (!freshness.fresh()) {
        spec.commandLine().getErr().println("runbook archive status: " + freshness.problem());
      }
      return archiver.isPresent() && freshness.fresh() ? ExitCodes.DONE : ExitCodes.RUNBOOK_FAILED;
    }
  }
}
