package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.pitr.PhysicalBackupRequest;
import dev.runbooks.workflows.pitr.PhysicalBackupResult;
import dev.runbooks.workflows.pitr.PhysicalBackupWorkflow;
import dev.runbooks.workflows.pitr.PitrDrillRequest;
import dev.runbooks.workflows.pitr.PitrDrillResult;
import dev.runbooks.workflows.pitr.PitrDrillWorkflow;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import dev.runbooks.workflows.pitr.PitrRestoreRequest;
import dev.runbooks.workflows.pitr.PitrRestoreWorkflow;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The physical ({@code --type physical}) backup, PITR restore and PITR drill: their requests, plans
 * and reports.
 */
final class PitrRuns {
  static final String LOGICAL = "logical";
  static final String PHYSICAL = "physical";

  private static final Pattern LSN = Pattern.compile("[0-9A-Fa-f]{1,8}/[0-9A-Fa-f]{1,8}");

  private final RunbooksConfig config;
  private final String initiator;

  PitrRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /** Refuses a {@code --type} other than logical and physical. */
  static boolean physical(String type) {
    if (type == null || type.equals(LOGICAL)) {
      return false;
    }
    if (type.equals(PHYSICAL)) {
      return true;
    }
    throw new UsageException(
        "--type "
            + type
            + " is not a backup type: use --type logical (pg_dump, the default) or --type"
            + " physical (pg_basebackup + the WAL archive, for point-in-time recovery).");
  }

  RunbookStarter.Launch backup(String target, String workflowId) {
    TargetConfig t = config.target(target);
    PhysicalBackupRequest request = new PhysicalBackupRequest(runbookRequest(t), null);
    return launch(
        PhysicalBackupWorkflow.class,
        request,
        RunbookKind.BACKUP,
        t,
        workflowId,
        "physical backup " + target + " -> " + repository(),
        "pg_basebackup -Ft -X none of "
            + t.primary()
            + ", zstd, encrypted, into "
            + repository()
            + "; complete once the WAL archive holds its WAL; then retention of base backups"
            + " and WAL.");
  }

  RunbookStarter.Launch restore(
      String target, PitrTarget to, String intoCluster, int port, String workflowId) {
    TargetConfig t = config.target(target);
    PitrRestoreRequest request = new PitrRestoreRequest(runbookRequest(t), to, intoCluster, port);
    return launch(
        PitrRestoreWorkflow.class,
        request,
        RunbookKind.RESTORE,
        t,
        workflowId,
        "PITR of " + target + " to " + to.describe() + " -> " + intoCluster,
        "The newest base backup before "
            + to.describe()
            + " and the WAL to it, fetched from "
            + repository()
            + " into "
            + intoCluster
            + " on the worker's host, recovered and promoted there.");
  }

  RunbookStarter.Launch drill(String target, String workflowId) {
    TargetConfig t = config.target(target);
    PitrDrillRequest request = new PitrDrillRequest(runbookRequest(t));
    return launch(
        PitrDrillWorkflow.class,
        request,
        RunbookKind.RESTORE_DRILL,
        t,
        workflowId,
        "PITR drill of " + target,
        "A marker row and a restore point on "
            + t.primary()
            + ", then a restore of the newest base backup + WAL to that point into a scratch"
            + " cluster on the worker's host, checked and dropped; the verdict beside the base"
            + " backup.");
  }

  /** The one {@code --to-*} option given, as a target; refuses none or several, and bad values. */
  static PitrTarget target(String time, String lsn, String restorePoint, boolean latest) {
    int given =
        (time != null ? 1 : 0)
            + (lsn != null ? 1 : 0)
            + (restorePoint != null ? 1 : 0)
            + (latest ? 1 : 0);
    if (given != 1) {
      throw new UsageException(
          "a physical restore needs exactly one of --to-time TS, --to-lsn LSN,"
              + " --to-restore-point NAME and --latest; "
              + (given == 0 ? "none was" : given + " were")
              + " given.");
    }
    if (time != null) {
      try {
        Instant at = OffsetDateTime.parse(time).toInstant();
        return new PitrTarget(PitrTarget.Kind.TIME, at.toString());
      } catch (DateTimeParseException e) {
        throw new UsageException(
            "--to-time "
                + time
                + " is not a time with its offset: use ISO 8601, such as"
                + " 2026-12-03T14:02:00Z or 2026-12-03T15:02:00+01:00.");
      }
    }
    if (lsn != null) {
      if (!LSN.matcher(lsn).matches()) {
        throw new UsageException(
            "--to-lsn "
                + lsn
                + " is not a WAL position: use PostgreSQL's form, such as 0/3000148.");
      }
      return new PitrTarget(PitrTarget.Kind.LSN, lsn.toUpperCase(java.util.Locale.ROOT));
    }
    if (restorePoint != null) {
      if (restorePoint.isBlank() || restorePoint.length() > 63) {
        throw new UsageException(
            "--to-restore-point needs the name given to pg_create_restore_point (1-63 chars).");
      }
      return new PitrTarget(PitrTarget.Kind.RESTORE_POINT, restorePoint);
    }
    return PitrTarget.latest();
  }

  private RunbookStarter.Launch launch(
      Class<?> workflow,
      Object request,
      RunbookKind kind,
      TargetConfig t,
      String workflowId,
      String summary,
      String details) {
    return new RunbookStarter.Launch(
        workflow,
        request,
        new RunbookStarter.Plan(kind, t.name(), workflowId, initiator, summary, details));
  }

  private RunbookRequest runbookRequest(TargetConfig t) {
    return new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout());
  }

  private String repository() {
    if (config.repository() == null) {
      throw new UsageException(
          "no backup repository is configured in "
              + config.file()
              + ": add repository: file:///var/lib/runbooks/backups (or s3://BUCKET/PREFIX),"
              + " then start again.");
    }
    return config.repository().uri();
  }

  static final Launcher.Report<PhysicalBackupResult> BACKUP =
      new Launcher.Report<>() {
        @Override
        public void printText(PhysicalBackupResult r, PrintWriter out) {
          out.println();
          out.println("Physical backup " + r.backup().backupId() + " of " + r.backup().target());
          out.println("  stored at   " + r.backup().location());
          out.println(
              "  WAL         "
                  + r.backup().startLsn()
                  + " to "
                  + r.backup().stopLsn()
                  + " on timeline "
                  + r.backup().timeline()
                  + ", held by the archive");
          out.println(
              "  size        "
                  + Text.amount(r.backup().tarBytes(), "bytes")
                  + " tar, "
                  + Text.amount(r.backup().ciphertextBytes(), "bytes")
                  + " encrypted");
          if (r.retention() != null) {
            out.println(
                "  pruned      "
                    + r.retention().deleted().size()
                    + " base backups, "
                    + r.retention().walObjectsDeleted()
                    + " WAL objects");
          }
        }

        @Override
        public Map<String, Object> json(PhysicalBackupResult r) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("backup", r.backup());
          json.put("retention", r.retention());
          return json;
        }
      };

  static final Launcher.Report<PitrRestoreOutcome> RESTORE =
      new Launcher.Report<>() {
        @Override
        public void printText(PitrRestoreOutcome r, PrintWriter out) {
          out.println();
          out.println(
              "Restored base backup "
                  + r.backupId()
                  + " into "
                  + r.intoCluster()
                  + ", running at 127.0.0.1:"
                  + r.port()
                  + " in "
                  + Text.duration(r.duration())
                  + ".");
          out.println(
              "Reached "
                  + r.reached().lsn()
                  + (r.reached().time().isEmpty()
                      ? ""
                      : ", last transaction at " + r.reached().time())
                  + ", now on timeline "
                  + r.reached().timeline()
                  + ".");
        }

        @Override
        public Map<String, Object> json(PitrRestoreOutcome r) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("restore", r);
          return json;
        }
      };

  static final Launcher.Report<PitrDrillResult> DRILL =
      new Launcher.Report<>() {
        @Override
        public void printText(PitrDrillResult r, PrintWriter out) {
          out.println();
          out.println(
              "PITR drill of base backup "
                  + r.backupId()
                  + ": "
                  + (r.passed() ? "passed" : "FAILED")
                  + ", RTO "
                  + Text.duration(r.rto())
                  + ", RPO (archive lag) "
                  + Text.duration(r.rpo())
                  + ", reached "
                  + r.reached().lsn());
          for (String d : r.differences()) {
            out.println("  " + d);
          }
        }

        @Override
        public Map<String, Object> json(PitrDrillResult r) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("drill", r);
          return json;
        }
      };
}
