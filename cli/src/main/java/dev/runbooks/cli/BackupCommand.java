package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.BackupResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "backup",
    mixinStandardHelpOptions = true,
    description = {
      "Takes an encrypted backup of a target: pg_dump streamed through SHA-256 and envelope"
          + " encryption into the configured repository, with a manifest; then proves it restores"
          + " with a restore drill (unless --no-verify), and prunes what the retention policy does"
          + " not keep.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run and prints the backup's id, sizes, the drill's verdict and what was pruned."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook backup --target orders --wait",
      "  runbook backup --target orders --no-verify --output json",
      "  runbook schedule create nightly-orders --runbook backup --target orders \\",
      "      --cron \"0 2 * * *\"  # every night at 02:00 UTC"
    })
final class BackupCommand extends LaunchCommand {
  @Option(
      names = "--no-verify",
      description =
          "Skip the restore drill. The backup is then unverified until 'runbook restore-drill'.")
  boolean noVerify;

  @Option(
      names = "--type",
      paramLabel = "logical|physical",
      description =
          "logical (default): pg_dump. physical: pg_basebackup into the repository, complete once"
              + " the WAL archive holds its WAL ('runbook archive start'), for point-in-time"
              + " recovery.")
  String type;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    if (PitrRuns.physical(type)) {
      return launch(
          config,
          new PitrRuns(config, user()).backup(target.name(), workflowId),
          dev.runbooks.workflows.pitr.PhysicalBackupResult.class,
          PitrRuns.BACKUP);
    }
    RunbookStarter.Launch launch =
        new BackupRuns(config, user()).backup(target.name(), !noVerify, workflowId);
    if (!run.follow()) {
      KeysCommand.firstBackupNote(config).ifPresent(spec.commandLine().getErr()::println);
    }
    return launch(config, launch, BackupResult.class, BackupReport.BACKUP);
  }
}
