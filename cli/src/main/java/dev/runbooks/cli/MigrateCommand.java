package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationResult;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "migrate",
    mixinStandardHelpOptions = true,
    description = {
      "Staged migration of a target with Flyway: validate, rehearse on a scratch copy (up, down,"
          + " up, with the schema compared), wait for approval, take a verified backup, apply one"
          + " version at a time, verify; on a failure or abort the down scripts run in reverse and"
          + " the schema is proven back to the one before.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run and prints the plan, the rehearsal, the backup and what was applied."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook migrate --target orders            # then: runbook approve <ID>",
      "  runbook migrate --target orders --to 7 --wait",
      "  runbook migrate --target staging --auto-approve --embedded"
    })
final class MigrateCommand extends LaunchCommand {
  @Option(
      names = "--to",
      paramLabel = "VERSION",
      description = "Migrate up to this version (e.g. 7 or 1.2). Default: the newest.")
  String to;

  @Option(
      names = "--auto-approve",
      description = "Skip the approval gate. Only for targets with production: false.")
  boolean autoApprove;

  @Option(
      names = "--lock-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description =
          "lock_timeout of every migration and down script, set again before each version."
              + " Default: 5s.")
  Duration lockTimeout = MigrationRequest.DEFAULT_LOCK_TIMEOUT;

  @Option(
      names = "--statement-timeout",
      paramLabel = "D",
      converter = DurationConverter.class,
      description = "statement_timeout of every migration and down script. Default: 30m.")
  Duration statementTimeout = MigrationRequest.DEFAULT_STATEMENT_TIMEOUT;

  @Option(
      names = "--lock-retries",
      paramLabel = "N",
      description =
          "How many more times a version that gave up waiting for its lock is tried, after a"
              + " pause in which it holds and queues for nothing. Default: 5.")
  int lockRetries = MigrationRequest.DEFAULT_LOCK_RETRIES;

  @Option(
      names = "--lock-budget",
      paramLabel = "D",
      converter = DurationConverter.class,
      description =
          "How long, from its first attempt, a version may keep trying for its lock; then the run"
              + " rolls back naming the session that held it. Default: 2m.")
  Duration lockBudget = MigrationRequest.DEFAULT_LOCK_BUDGET;

  @Option(
      names = "--accept-drift",
      paramLabel = "REASON",
      description =
          "Apply although the target's schema differs from the one the last apply left (the"
              + " difference is listed); the reason is recorded in the run's history.")
  String acceptDrift;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    RunbookStarter.Launch launch =
        new MigrationRuns(config, user())
            .migrate(
                target.name(),
                to,
                autoApprove,
                new MigrationRuns.Bounds(
                    lockTimeout, statementTimeout, lockRetries, lockBudget, acceptDrift),
                workflowId);
    return launch(config, launch, MigrationResult.class, MigrationReport.MIGRATE);
  }
}
