package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.pitr.ArchiverStatus;
import dev.runbooks.workflows.pitr.WalArchiveState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import picocli.CommandLine.Model.CommandSpec;

/** The WAL archive's part of {@code runbook backups}: its window, state and lag, and freshness. */
final class BackupsArchive {
  private BackupsArchive() {}

  /** Prints the archive's section (text output only) and returns 1 when it is stale. */
  static int print(
      TemporalConnection temporal,
      ConnectionOptions connection,
      RunbooksConfig config,
      String target,
      CommandSpec spec) {
    Duration limit = config.target(target).walFreshness();
    if (limit == null && !ArchiveRuns.known(temporal.client(), target)) {
      return ExitCodes.DONE; // no archiver, and no limit that expects one
    }
    Optional<ArchiverStatus> archiver = ArchiveRuns.status(temporal.client(), target);
    return print(state(temporal, connection, target), archiver, limit, connection, spec);
  }

  private static WalArchiveState state(
      TemporalConnection temporal, ConnectionOptions connection, String target) {
    return ArchiveRuns.state(temporal.client(), connection.taskQueue(), target, Clock.systemUTC());
  }

  private static int print(
      WalArchiveState state,
      Optional<ArchiverStatus> archiver,
      Duration limit,
      ConnectionOptions connection,
      CommandSpec spec) {
    ArchiveReport.Freshness freshness = ArchiveReport.freshness(state, limit);
    if (!connection.json()) {
      PrintWriter out = spec.commandLine().getOut();
      out.println();
      ArchiveReport.printState(state, limit, out);
      ArchiveReport.printArchiver(state.target(), archiver, out);
    }
    if (!freshness.fresh()) {
      spec.commandLine().getErr().println("runbook backups: " + freshness.problem() + ".");
      return ExitCodes.RUNBOOK_FAILED;
    }
    return ExitCodes.DONE;
  }
}
