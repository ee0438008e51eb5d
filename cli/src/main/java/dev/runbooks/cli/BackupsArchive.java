package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.pitr.ArchiverStatus;
import dev.runbooks.workflows.pitr.BaseBackupDrill;
import dev.runbooks.workflows.pitr.WalArchiveState;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The point-in-time part of {@code runbook backups}: the WAL archive's window, state and lag, the
 * base backups with their PITR drills' verdicts, and the archive's freshness.
 */
final class BackupsArchive {
  private final WalArchiveState state;
  private final Optional<ArchiverStatus> archiver;
  private final Duration limit;
  private final ArchiveReport.Freshness freshness;

  private BackupsArchive(WalArchiveState state, Optional<ArchiverStatus> archiver, Duration limit) {
    this.state = state;
    this.archiver = archiver;
    this.limit = limit;
    this.freshness = ArchiveReport.freshness(state, limit);
  }

  /** The section, unless the target has no archiver and no walFreshness that expects one. */
  static Optional<BackupsArchive> read(
      TemporalConnection temporal,
      ConnectionOptions connection,
      RunbooksConfig config,
      String target) {
    Duration limit = config.target(target).walFreshness();
    if (limit == null && !ArchiveRuns.known(temporal.client(), target)) {
      return Optional.empty();
    }
    Optional<ArchiverStatus> archiver = ArchiveRuns.status(temporal.client(), target);
    WalArchiveState state =
        ArchiveRuns.state(temporal.client(), connection.taskQueue(), target, Clock.systemUTC());
    return Optional.of(new BackupsArchive(state, archiver, limit));
  }

  /** Exit code 1 when the archive is further behind than walFreshness, saying so on stderr. */
  int exitCode(PrintWriter err) {
    if (!freshness.fresh()) {
      err.println("runbook backups: " + freshness.problem() + ".");
      return ExitCodes.RUNBOOK_FAILED;
    }
    return ExitCodes.DONE;
  }

  void printText(PrintWriter out) {
    out.println();
    ArchiveReport.printState(state, limit, out);
    ArchiveReport.printArchiver(state.target(), archiver, out);
    printBaseBackups(state, out);
  }

  /** The section in {@code backups -o json}: as {@code archive status -o json} prints it. */
  Map<String, Object> json() {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("archiver", archiver.orElse(null));
    json.put("archive", state);
    json.put("fresh", freshness.fresh());
    return json;
  }

  static void printBaseBackups(WalArchiveState state, PrintWriter out) {
    if (state.baseBackups().isEmpty()) {
      out.println(
          "base backups: none (take one: runbook backup --target "
              + state.target()
              + " --type physical)");
      return;
    }
    out.println("base backups, newest first, with their newest PITR drill:");
    for (BaseBackupDrill b : state.baseBackups()) {
      out.println(
          "  "
              + b.backupId()
              + "  "
              + Text.time(b.finishedAt())
              + "  to "
              + b.stopLsn()
              + " on timeline "
              + b.timeline()
              + "  "
              + drill(b));
      for (String d : b.differences()) {
        out.println("      " + d);
      }
    }
  }

  private static String drill(BaseBackupDrill b) {
    if (!b.drilled()) {
      return "never drilled (runbook restore-drill --target T --type physical)";
    }
    return (b.passed() ? "drill passed " : "drill FAILED ")
        + Text.time(b.drilledAt())
        + ", RTO "
        + Text.duration(b.rto())
        + ", RPO "
        + Text.duration(b.rpo());
  }
}
