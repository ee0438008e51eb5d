package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.backup.RestoreOutcome;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "restore",
    mixinStandardHelpOptions = true,
    description = {
      "Restores a backup into a new database on the target's server, for an incident. Refused"
          + " when the database exists; the target's own database is never touched. A failed"
          + " restore drops the half-restored database.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run and prints where the data is."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook backups --target orders        # pick a backup whose drill passed",
      "  runbook restore --target orders --backup 20260124T020000Z-1a2b \\",
      "      --into orders_restored --wait"
    })
final class RestoreCommand extends LaunchCommand {
  @Option(
      names = "--backup",
      paramLabel = "ID",
      description = "Logical: the backup to restore ('runbook backups' lists them).")
  String backupId;

  @Option(
      names = "--into",
      paramLabel = "NAME",
      description =
          "Logical: the new database to restore into: lower-case letters, digits and underscores.")
  String database;

  @Mixin PitrRestoreOptions pitr;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    if (PitrRuns.physical(pitr.type)) {
      return pitr.launch(this, config, target.name(), backupId, database, workflowId);
    }
    pitr.refuseWithLogical();
    if (backupId == null || database == null) {
      throw new UsageException(
          "a logical restore needs --backup ID and --into NAME ('runbook backups --target "
              + target.name()
              + "' lists the backups); for a point-in-time restore use --type physical.");
    }
    if (backupId.isBlank()) {
      throw new UsageException(
          "--backup is empty: give the ID of the backup to restore ('runbook backups --target "
              + target.name()
              + "' lists them).");
    }
    BackupRuns.checkBackupId(backupId, target.name());
    TargetConfig t = config.target(target.name());
    RunbookStarter.Launch launch =
        new BackupRuns(config, user()).restore(target.name(), backupId, database, workflowId);
    Launcher.Report<RestoreOutcome> report =
        BackupReport.restore(t.primary().host(), t.primary().port());
    return launch(config, launch, RestoreOutcome.class, report);
  }
}
