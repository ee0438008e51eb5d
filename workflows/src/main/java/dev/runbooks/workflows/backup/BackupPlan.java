package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.Texts;

/**
 * What the backup, restore-drill and restore runs show in the Temporal UI before they start: their
 * summaries and plans, one line per step of each workflow's {@code STEPS}.
 */
public final class BackupPlan {
  private static final String PREFLIGHT =
      "the check runbook's connectivity and privilege checks: the primary is found among the"
          + " target's members (a split brain, or no writable member, stops the run); a critical"
          + " finding stops the run before anything is written";

  /** {@code backup orders -> s3://backups/prod}. */
  public static String backupSummary(BackupRequest request, String repository) {
    return "backup " + request.runbook().target() + " -> " + repository;
  }

  /**
   * The backup's plan in Markdown.
   *
   * @param primary the target's primary, as messages show it
   * @param encryption the key backups are encrypted with, as configured
   */
  public static String backup(
      BackupRequest request, String primary, String repository, String encryption) {
    return "**Backup** of `"
        + request.runbook().target()
        + "` ("
        + primary
        + ") into `"
        + repository
        + "`, started by "
        + request.runbook().initiator()
        + ".\n\n"
        + Texts.numbered(
            BackupWorkflowImpl.STEPS, step -> backupStep(step, request.verify(), encryption))
        + "\nA failure removes the incomplete backup. Nothing on the target is changed.\n";
  }

  private static String backupStep(String step, boolean verify, String encryption) {
    return switch (step) {
      case Preflight.STEP -> PREFLIGHT;
      case "dump" ->
          "`pg_dump -Fc` streamed through SHA-256 and envelope encryption ("
              + encryption
              + ") into the repository; the manifest is written last";
      case "verify" ->
          verify
              ? "a restore drill (a child run) restores the new backup into a scratch database,"
                  + " compares every table's rows and the object list with the manifest, records"
                  + " the verdict and drops the scratch database"
              : "skipped (--no-verify)";
      case "retention" ->
          "deletes the backups the target's policy does not keep; the newest verified backup and"
              + " this one are always kept";
      default -> throw Texts.unknownStep(step);
    };
  }

  /** {@code restore-drill orders <- s3://backups/prod (newest)}. */
  public static String drillSummary(DrillRequest request, String repository) {
    return "restore-drill "
        + request.runbook().target()
        + " <- "
        + repository
        + (request.backupId() == null ? " (newest)" : " " + request.backupId());
  }

  /**
   * The restore drill's plan in Markdown.
   *
   * @param server the address of the server the scratch database is made on
   */
  public static String drill(DrillRequest request, String repository, String server) {
    String which =
        request.backupId() == null
            ? "the newest complete backup"
            : "backup `" + request.backupId() + "`";
    return "**Restore drill** of "
        + which
        + " of `"
        + request.runbook().target()
        + "` from `"
        + repository
        + "`, started by "
        + request.runbook().initiator()
        + ".\n\n"
        + Texts.numbered(RestoreDrillWorkflowImpl.STEPS, step -> drillStep(step, server))
        + "\nRead-only for the target's own database.\n";
  }

  private static String drillStep(String step, String server) {
    return switch (step) {
      case Preflight.STEP -> PREFLIGHT;
      case "resolve" -> "picks the backup; one without a manifest is incomplete and never used";
      case "restore" ->
          "downloads it, checks its SHA-256 against the manifest, decrypts it and pipes it into"
              + " `pg_restore` in a scratch database named after this run on "
              + server;
      case "compare" -> "every table's row count and the object list against the manifest";
      case "verdict" -> "recorded beside the backup's manifest (`runbook backups` shows it)";
      case "cleanup" -> "drops the scratch database, also when a step failed";
      default -> throw Texts.unknownStep(step);
    };
  }

  /** {@code restore orders 20261124T020000Z-ab12 -> orders_restored @ db1:5432/orders}. */
  public static String restoreSummary(RestoreRequest request, String primary) {
    return "restore "
        + request.runbook().target()
        + " "
        + request.backupId()
        + " -> "
        + request.database()
        + " @ "
        + primary;
  }

  /**
   * The incident restore's plan in Markdown.
   *
   * @param server the address of the server the new database is made on
   * @param targetDatabase the target's own database, which the restore never touches
   */
  public static String restore(
      RestoreRequest request, String repository, String server, String targetDatabase) {
    String database = request.database();
    return "**Restore** of backup `"
        + request.backupId()
        + "` of `"
        + request.runbook().target()
        + "` from `"
        + repository
        + "` into the new database `"
        + database
        + "` on "
        + server
        + ", started by "
        + request.runbook().initiator()
        + ".\n\n"
        + Texts.numbered(RestoreWorkflowImpl.STEPS, step -> restoreStep(step, database))
        + "\nA failed restore drops the half-restored `"
        + database
        + "`. The target's own database `"
        + targetDatabase
        + "` is never touched: point clients at `"
        + database
        + "` yourself once it is checked.\n";
  }

  private static String restoreStep(String step, String database) {
    return switch (step) {
      case Preflight.STEP -> PREFLIGHT;
      case "restore" ->
          "downloads the backup, checks its SHA-256 against the manifest, decrypts it and pipes"
              + " it into `pg_restore`; refused when `"
              + database
              + "` exists";
      case "compare" -> "every table's row count and the object list against the manifest";
      default -> throw Texts.unknownStep(step);
    };
  }

  private BackupPlan() {}
}
