package dev.runbooks.cli;

import dev.runbooks.workflows.pitr.ArchiverStatus;
import dev.runbooks.workflows.pitr.WalArchiveState;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Optional;

/** The WAL archive's lines in {@code archive status} and {@code backups}, and its freshness. */
final class ArchiveReport {
  private ArchiveReport() {}

  /** Whether the archive is within {@code walFreshness}, and if not, why. */
  record Freshness(boolean fresh, String problem) {}

  static Freshness freshness(WalArchiveState state, Duration limit) {
    if (limit == null) {
      return new Freshness(true, "");
    }
    String fix =
        "; start or repair the archiver (runbook archive status --target "
            + state.target()
            + ", runbooks/pitr.md)";
    if (!state.archived()) {
      return new Freshness(
          false,
          "the WAL archive of "
              + state.target()
              + " holds no WAL (walFreshness "
              + Text.duration(limit)
              + ")"
              + fix);
    }
    if (state.lag() == null) {
      return new Freshness(
          false,
          "the WAL archive's lag behind the primary of "
              + state.target()
              + " is unknown (the primary could not be read), and walFreshness is "
              + Text.duration(limit)
              + fix);
    }
    if (state.lag().compareTo(limit) > 0) {
      return new Freshness(
          false,
          "the WAL archive of "
              + state.target()
              + " is "
              + Text.duration(state.lag())
              + " behind its primary ("
              + Text.amount(state.lagBytes(), "bytes")
              + " of WAL not archived), over walFreshness "
              + Text.duration(limit)
              + fix);
    }
    return new Freshness(true, "");
  }

  static void printArchiver(String target, Optional<ArchiverStatus> archiver, PrintWriter out) {
    if (archiver.isEmpty()) {
      out.println(
          "archiver:   not running (start it: runbook archive start --target " + target + ")");
      return;
    }
    ArchiverStatus s = archiver.get();
    out.println(
        "archiver:   "
            + s.state()
            + " since "
            + Text.time(s.since())
            + ", "
            + s.sessions()
            + " sessions"
            + (s.last() == null
                ? ""
                : ", last from " + s.last().primary() + " on timeline " + s.last().timeline()));
    if (!s.problem().isEmpty()) {
      out.println("problem:    " + s.problem());
    }
  }

  static void printState(WalArchiveState s, Duration limit, PrintWriter out) {
    out.println("WAL archive: " + s.location());
    if (!s.archived()) {
      out.println("  window:   none (no WAL archived yet)");
    } else {
      out.println(
          "  window:   "
              + s.earliest()
              + " to "
              + s.end()
              + " on timeline "
              + s.timeline()
              + (s.lastStored() == null ? "" : " (last stored " + Text.time(s.lastStored()) + ")"));
    }
    out.println(
        "  lag:      "
            + (s.lag() == null
                ? "unknown"
                : Text.duration(s.lag()) + ", " + Text.amount(s.lagBytes(), "bytes"))
            + (s.primaryLsn().isEmpty() ? "" : " (primary at " + s.primaryLsn() + ")")
            + (limit == null ? "" : "; walFreshness " + Text.duration(limit)));
    for (String gap : s.gaps()) {
      out.println("  GAP:      " + gap + " (not recoverable across it)");
    }
    out.println("  slot:     " + s.slot());
  }
}
