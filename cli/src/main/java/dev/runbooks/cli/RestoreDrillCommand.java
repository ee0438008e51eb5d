package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.DrillResult;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

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
final class RestoreDrillCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;
  @Mixin RunOptions run;

  @Mixin TargetOption target;

  @Option(
      names = "--backup",
      paramLabel = "ID",
      description =
          "The backup to drill ('runbook backups' lists them). Default: the newest complete one.")
  String backupId;

  @Mixin RunIdOption runId;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = connection.loadConfig(root.env());
    String workflowId = runId.value();
    if (backupId != null && backupId.isBlank()) {
      throw new UsageException("--backup is empty: give a backup ID, or leave it out.");
    }
    if (backupId != null) {
      BackupRuns.checkBackupId(backupId, target.name());
    }
    RunbookStarter.Launch launch =
        new BackupRuns(config, Identity.user(root.env()))
            .drill(target.name(), backupId, workflowId);
    Launcher launcher =
        new Launcher(root, connection, spec.commandLine().getOut(), spec.commandLine().getErr());
    return launcher.run(config, run, launch, DrillResult.class, BackupReport.DRILL);
  }
}
