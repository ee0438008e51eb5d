package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.DrillResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "restore-drill",
    mixinStandardHelpOptions = true,
    description = {
      "Proves a backup restores: restores it into a scratch database on the target's server,"
          + " compares every table's row count and the object list with its manifest, records the"
          + " verdict beside the backup, and drops the scratch database.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run, prints the verdict, and exits 1 when the drill failed."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook restore-drill --target orders --wait",
      "  runbook restore-drill --target orders --backup 20260124T020000Z-1a2b --wait"
    })
final class RestoreDrillCommand extends LaunchCommand {
  @Option(
      names = "--backup",
      paramLabel = "ID",
      description =
          "The backup to drill ('runbook backups' lists them). Default: the newest complete one.")
  String backupId;

  @Option(
      names = "--type",
      paramLabel = "logical|physical",
      description =
          "logical (default): restore a pg_dump backup. physical: a marker and a restore point on"
              + " the primary, then a point-in-time restore to it on the worker's host.")
  String type;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    if (PitrRuns.physical(type)) {
      if (backupId != null) {
        throw new UsageException(
            "--backup does not go with --type physical: a PITR drill restores the newest base"
                + " backup to the restore point it creates.");
      }
      return launch(
          config,
          new PitrRuns(config, user()).drill(target.name(), workflowId),
          dev.runbooks.workflows.pitr.PitrDrillResult.class,
          PitrRuns.DRILL);
    }
    if (backupId != null && backupId.isBlank()) {
      throw new UsageException("--backup is empty: give a backup ID, or leave it out.");
    }
    if (backupId != null) {
      BackupRuns.checkBackupId(backupId, target.name());
    }
    RunbookStarter.Launch launch =
        new BackupRuns(config, user()).drill(target.name(), backupId, workflowId);
    return launch(config, launch, DrillResult.class, BackupReport.DRILL);
  }
}
