package dev.runbooks.cli;

import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.DrillResult;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.shared.Step;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The backup runbooks' results and the backup listing, as text for people or JSON for scripts. */
final class BackupReport {
  private BackupReport() {}

  /** {@code backup}: what was stored, how the drill went, what retention pruned. */
  static final Launcher.Report<BackupResult> BACKUP =
      new Launcher.Report<>() {
        @Override
        public void printText(BackupResult result, PrintWriter out) {
          BackupSummary b = result.backup();
          out.println();
          out.println("Backup " + b.backupId() + " of " + b.target());
          out.println("  stored at   " + b.location());
          out.println(
              "  size        "
                  + Text.amount(b.plaintextBytes(), "bytes")
                  + " dump, "
                  + Text.amount(b.ciphertextBytes(), "bytes")
                  + " encrypted (sha256 "
                  + b.ciphertextSha256()
                  + ")");
          out.println(
              "  contents    " + count(b.tables(), "table") + ", " + count(b.rows(), "row"));
          if (b.startedAt() != null && b.finishedAt() != null) {
            out.println(
                "  took        "
                    + Text.duration(Duration.between(b.startedAt(), b.finishedAt()))
                    + ", finished "
                    + Text.time(b.finishedAt()));
          }
          out.println("  drill       " + drillLine(result.drill()));
          for (String difference : differences(result.drill())) {
            out.println("                " + difference);
          }
          out.println(
              "  pruned      "
                  + (result.pruned().isEmpty() ? "nothing" : String.join(", ", result.pruned())));
          if (b.newKeyset() != null) {
            out.println("  NEW KEY     " + b.newKeysetNotice());
          }
        }

        @Override
        public Map<String, Object> json(BackupResult result) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("backup", result.backup());
          json.put("drill", result.drill());
          json.put("pruned", result.pruned());
          return json;
        }

        @Override
        public int exitCode(Launcher.Finished<BackupResult> finished) {
          int exit = finished.end().exitCode();
          BackupResult result = finished.result();
          if (result != null && result.drill() != null && !result.drill().passed()) {
            return Math.max(exit, ExitCodes.RUNBOOK_FAILED);
          }
          return exit;
        }
      };

  /** {@code restore-drill}: the verdict. */
  static final Launcher.Report<DrillResult> DRILL =
      new Launcher.Report<>() {
        @Override
        public void printText(DrillResult result, PrintWriter out) {
          out.println();
          out.println("Drill of backup " + result.backupId() + ": " + drillLine(result));
          for (String difference : differences(result)) {
            out.println("  " + difference);
          }
        }

        @Override
        public Map<String, Object> json(DrillResult result) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("drill", result);
          return json;
        }

        @Override
        public int exitCode(Launcher.Finished<DrillResult> finished) {
          int exit = finished.end().exitCode();
          if (finished.result() != null && !finished.result().passed()) {
            return Math.max(exit, ExitCodes.RUNBOOK_FAILED);
          }
          return exit;
        }
      };

  /** {@code restore}: where the data is now. */
  static Launcher.Report<RestoreOutcome> restore(String host, int port) {
    return new Launcher.Report<>() {
      @Override
      public void printText(RestoreOutcome result, PrintWriter out) {
        out.println();
        out.println(
            "Restored backup "
                + result.backupId()
                + " into database "
                + result.database()
                + " on "
                + host
                + ":"
                + port
                + ": "
                + Text.amount(result.bytes(), "bytes")
                + " in "
                + Text.duration(result.duration())
                + ".");
        out.println(
            "Check it: psql \"host="
                + host
                + " port="
                + port
                + " dbname="
                + result.database()
                + "\"; then point clients at it.");
      }

      /** The restore, then how it compared: the run completes even when it differs. */
      @Override
      public void printText(Launcher.Finished<RestoreOutcome> finished, PrintWriter out) {
        printText(finished.result(), out);
        String compared = compareDetail(finished.end());
        if (compared != null) {
          out.println("Compared: " + compared + ".");
        }
      }

      @Override
      public Map<String, Object> json(RestoreOutcome result) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("restore", result);
        return json;
      }
    };
  }

  /** The detail of the run's {@code compare} step, or null when it has none. */
  static String compareDetail(RunState end) {
    if (end.progress() == null) {
      return null;
    }
    for (Step step : end.progress().steps()) {
      if (step.name().equals("compare") && !step.detail().isEmpty()) {
        return step.detail();
      }
    }
    return null;
  }

  static String drillLine(DrillResult drill) {
    if (drill == null) {
      return "not run (--no-verify): run 'runbook restore-drill' to verify it";
    }
    String took =
        drill.restoreDuration() == null
            ? ""
            : ", restored in " + Text.duration(drill.restoreDuration());
    if (drill.passed()) {
      return "passed" + took + ": every table and object matched the manifest";
    }
    return "FAILED"
        + took
        + ": "
        + count(drill.differences().size(), "difference")
        + " from the manifest";
  }

  private static List<String> differences(DrillResult drill) {
    return drill == null ? List.of() : drill.differences();
  }

  // ---- the listing --------------------------------------------------------------------------

  /**
   * Whether the newest verified backup is recent enough: the verdict {@code backups} exits on.
   *
   * @param newestVerified the newest backup whose drill passed, or null
   * @param problem why the listing is not fresh, or null when it is (or no limit is set)
   */
  record Freshness(BackupListing newestVerified, Duration age, String problem) {
    boolean fresh() {
      return problem == null;
    }
  }

  static Freshness freshness(BackupCatalog catalog, Instant now) {
    BackupListing newest = null;
    for (BackupListing b : catalog.backups()) {
      if (b.complete()
          && Boolean.TRUE.equals(b.drillPassed())
          && (newest == null || taken(b).isAfter(taken(newest)))) {
        newest = b;
      }
    }
    Duration age = newest == null ? null : Duration.between(taken(newest), now);
    Duration limit = catalog.freshnessLimit();
    String problem = null;
    if (limit != null && newest == null) {
      problem =
          "no backup of "
              + catalog.target()
              + " has passed a restore drill, and the freshness limit is "
              + Text.duration(limit)
              + ": run 'runbook backup --target "
              + catalog.target()
              + "' (it drills the new backup)";
    } else if (limit != null && age.compareTo(limit) > 0) {
      problem =
          "the newest verified backup of "
              + catalog.target()
              + " ("
              + newest.backupId()
              + ") is "
              + age(age)
              + " old, over the freshness limit of "
              + Text.duration(limit)
              + ": run 'runbook backup --target "
              + catalog.target()
              + "', and check the backup schedule ('runbook schedule list')";
    }
    return new Freshness(newest, age, problem);
  }

  static void printCatalog(BackupCatalog catalog, Instant now, PrintWriter out) {
    Freshness freshness = freshness(catalog, now);
    out.println(
        "Backups of "
            + catalog.target()
            + " in "
            + catalog.location()
            + ", newest first"
            + (catalog.freshnessLimit() == null
                ? ""
                : " (freshness limit " + Text.duration(catalog.freshnessLimit()) + ")")
            + ":");
    if (catalog.backups().isEmpty()) {
      out.println("  none. Take one with: runbook backup --target " + catalog.target());
    } else {
      List<String[]> rows = new ArrayList<>();
      rows.add(new String[] {"ID", "AGE", "SIZE", "COMPLETE", "DRILL", "RESTORE TIME"});
      for (BackupListing b : catalog.backups()) {
        rows.add(
            new String[] {
              b.backupId(),
              age(Duration.between(taken(b), now)),
              Text.amount(b.ciphertextBytes(), "bytes"),
              b.complete() ? "yes" : "NO",
              verdict(b),
              b.restoreDuration() == null ? "-" : Text.duration(b.restoreDuration())
            });
      }
      int[] widths = new int[rows.get(0).length];
      for (String[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          widths[i] = Math.max(widths[i], row[i].length());
        }
      }
      for (String[] row : rows) {
        StringBuilder line = new StringBuilder("  ");
        for (int i = 0; i < row.length; i++) {
          line.append(i == row.length - 1 ? row[i] : Text.pad(row[i], widths[i] + 2));
        }
        out.println(line.toString().stripTrailing());
      }
    }
    if (freshness.fresh()) {
      if (freshness.newestVerified() != null) {
        out.println(
            "Newest verified backup: "
                + freshness.newestVerified().backupId()
                + ", "
                + age(freshness.age())
                + " old.");
      }
    } else {
      out.println("STALE: " + freshness.problem() + ".");
    }
  }

  static Map<String, Object> catalogJson(BackupCatalog catalog, Instant now) {
    Freshness freshness = freshness(catalog, now);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("target", catalog.target());
    json.put("location", catalog.location());
    json.put("freshnessLimit", catalog.freshnessLimit());
    json.put("fresh", freshness.fresh());
    json.put(
        "newestVerified",
        freshness.newestVerified() == null ? null : freshness.newestVerified().backupId());
    json.put("problem", freshness.problem());
    json.put("backups", catalog.backups());
    return json;
  }

  private static String verdict(BackupListing b) {
    if (b.drillPassed() == null) {
      return "-";
    }
    return b.drillPassed() ? "passed" : "FAILED";
  }

  /** When a backup was taken: when it finished, else when it started. */
  private static Instant taken(BackupListing b) {
    if (b.finishedAt() != null) {
      return b.finishedAt();
    }
    return b.startedAt() == null ? Instant.EPOCH : b.startedAt();
  }

  /** "42s", "17m", "5h12m", "3d04h". */
  static String age(Duration age) {
    long s = Math.max(0, age.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m";
    }
    if (s < 86_400) {
      return String.format(Locale.ROOT, "%dh%02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format(Locale.ROOT, "%dd%02dh", s / 86_400, (s % 86_400) / 3600);
  }

  private static String count(long n, String noun) {
    return String.format(Locale.ROOT, "%,d", n) + " " + noun + (n == 1 ? "" : "s");
  }
}
