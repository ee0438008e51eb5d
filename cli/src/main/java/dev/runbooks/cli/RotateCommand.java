package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.rotation.RotationStrategy;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "rotate",
    mixinStandardHelpOptions = true,
    description = {
      "Rotates a role's password with no failed logins: two login roles R_a and R_b, members of"
          + " the group role R, take turns. The one not in use gets a new random password (a"
          + " SCRAM-SHA-256 verifier, so the server never sees it), is tested with a real login,"
          + " and is published in the secret store at db/<target>/roles/<role>; after the grace"
          + " period the other one is expired and its sessions ended.",
      "--strategy single replaces the role's own password instead: new logins with the old one"
          + " fail until clients re-read the secret.",
      "Prints the run's workflow ID and returns, unless --wait or --embedded: then it follows the"
          + " run and prints which login was renewed and which versions are where."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook rotate --target orders --role orders_app --wait",
      "  runbook rotate --target orders --role report_job --strategy single --wait",
      "  runbook schedule create monthly-app --runbook rotate --target orders \\",
      "      --role orders_app --cron \"0 3 1 * *\"  # 03:00 UTC on the 1st"
    })
final class RotateCommand extends LaunchCommand {
  @Option(
      names = "--role",
      required = true,
      paramLabel = "R",
      description =
          "The group role holding the privileges (alternating), or the login role (single).")
  String role;

  @Option(
      names = "--strategy",
      paramLabel = "alternating|single",
      description = "alternating (default): R_a and R_b take turns; single: R's own password.")
  RotationStrategy strategy = RotationStrategy.ALTERNATING;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "How long the previous login keeps working after the new one is published (15m,"
              + " PT1H). Default: 15m.")
  Duration grace;

  @Override
  public Integer call() throws InterruptedException {
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    RunbookStarter.Launch launch =
        new RotationRuns(config, user()).rotate(target.name(), role, strategy, grace, workflowId);
    return launch(config, launch, RotationResult.class, RotationReport.ROTATION);
  }
}
