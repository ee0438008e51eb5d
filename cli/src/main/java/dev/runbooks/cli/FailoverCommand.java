package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.failover.FailoverResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "failover",
    mixinStandardHelpOptions = true,
    description = {
      "A planned switchover (the default, --planned): fences the primary (read-only, application"
          + " roles NOLOGIN, their sessions ended), waits until the chosen replica has replayed"
          + " every byte, promotes it, proves it takes writes, repoints the other replicas and"
          + " publishes the new endpoint. No acknowledged write is lost.",
      "With --force: an unplanned failover of a primary that is down (confirmed with several"
          + " attempts); the most advanced replica is promoted and the possible data loss is"
          + " reported.",
      "Before promotion a failure unfences the primary again; after it nothing is reverted, and"
          + " the result says what holds and what is left to do by hand."
    },
    footerHeading = "%nExamples:%n",
    footer = {
      "  runbook failover --target orders --planned --wait",
      "  runbook failover --target orders --to db3 --max-lag 1048576 --wait",
      "  runbook failover --target orders --force --wait   # the primary is down"
    })
final class FailoverCommand extends LaunchCommand {
  @Option(
      names = "--to",
      paramLabel = "REPLICA",
      description = "The replica to promote. Default: the most advanced one.")
  String to;

  @Option(names = "--planned", description = "A switchover of a running primary (the default).")
  boolean planned;

  @Option(
      names = "--force",
      description = "An unplanned failover: the primary is down; recent writes may be lost.")
  boolean force;

  @Option(
      names = "--max-lag",
      paramLabel = "BYTES",
      description =
          "Refuse a candidate whose replay lags more than this. Default: the target's"
              + " failover.maxLagBytes (16 MiB unless configured).")
  Long maxLag;

  @Option(
      names = "--rejoin",
      description =
          "Rewind the old primary and start it as a replica when the worker runs on its host;"
              + " otherwise the result lists the manual steps.")
  boolean rejoin;

  @Override
  public Integer call() throws InterruptedException {
    if (planned && force) {
      throw new UsageException(
          "--planned and --force contradict each other: --planned fences a running primary,"
              + " --force promotes a replica of a primary that is down. Give one of them.");
    }
    if (maxLag != null && maxLag < 0) {
      throw new UsageException(
          "--max-lag " + maxLag + " is negative; give a number of bytes, 0 or more.");
    }
    RunbooksConfig config = loadConfig();
    String workflowId = runId.value();
    RunbookStarter.Launch launch =
        new FailoverRuns(config, user())
            .failover(target.name(), to, maxLag, force, rejoin, workflowId);
    return launch(config, launch, FailoverResult.class, FailoverReport.FAILOVER);
  }
}
