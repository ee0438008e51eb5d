package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.backup.BackupCatalog;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "backups",
    mixinStandardHelpOptions = true,
    description = {
      "Lists a target's backups, newest first: id, age, size, whether complete, the restore"
          + " drill's verdict and the measured restore time. A worker reads the repository, where"
          + " its credentials are; this waits for it.",
      "Exits 1 when the newest verified backup is older than the target's freshness limit, or"
          + " none is verified and a limit is set. The limit is the one in this command's"
          + " configuration (--config); when the worker's says otherwise, a NOTE says so."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook backups --target orders --output json")
final class BackupsCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Mixin TargetOption target;

  @Option(
      names = "--embedded",
      description = "Read the listing with Temporal in memory and a worker in this process.")
  boolean embedded;

  @Override
  public Integer call() {
    RunbooksConfig config = connection.loadConfig(root.env());
    config.target(target.name());
    if (embedded) {
      try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, connection.taskQueue())) {
        return list(local.connection(), config);
      }
    }
    try (TemporalConnection temporal = connection.connect(root.env())) {
      return list(temporal, config);
    }
  }

  /**
   * The worker reads the repository, but the freshness limit is this command's configuration's: the
   * user asked about the file they named. A worker whose file says otherwise is pointed out.
   */
  private int list(TemporalConnection temporal, RunbooksConfig config) {
    BackupCatalog listed =
        BackupRuns.catalog(
            temporal.client(), connection.taskQueue(), target.name(), Clock.systemUTC());
    Duration limit = config.target(target.name()).backupFreshness();
    BackupCatalog catalog =
        new BackupCatalog(listed.target(), listed.location(), listed.backups(), limit);
    int code = print(catalog, connection.json(), Clock.systemUTC().instant(), spec.commandLine());
    if (!Objects.equals(limit, listed.freshnessLimit())) {
      PrintWriter note =
          connection.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
      note.println(
          "NOTE: the freshness limit used is "
              + limit(limit)
              + ", from "
              + config.file().toAbsolutePath()
              + " (targets."
              + target.name()
              + ".backupFreshness, else backupFreshness); the worker's configuration says "
              + limit(listed.freshnessLimit())
              + ". Make them agree: edit one of the files (the worker picks its file up on the"
              + " next run).");
    }
    return code;
  }

  private static String limit(Duration limit) {
    return limit == null ? "none" : Text.duration(limit);
  }

  /** Prints the listing and returns 1 when it is stale. */
  static int print(
      BackupCatalog catalog, boolean json, Instant now, picocli.CommandLine commandLine) {
    PrintWriter out = commandLine.getOut();
    BackupReport.Freshness freshness = BackupReport.freshness(catalog, now);
    if (json) {
      out.println(Json.write(BackupReport.catalogJson(catalog, now)));
      if (!freshness.fresh()) {
        commandLine.getErr().println("runbook backups: " + freshness.problem() + ".");
      }
    } else {
      BackupReport.printCatalog(catalog, now, out);
    }
    return freshness.fresh() ? ExitCodes.DONE : ExitCodes.RUNBOOK_FAILED;
  }
}
