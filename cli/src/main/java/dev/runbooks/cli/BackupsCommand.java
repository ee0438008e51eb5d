package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.backup.BackupCatalog;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
          + " configuration (--config); when the worker's says otherwise, a NOTE says so.",
      "Then the WAL archive, when the target has an archiver or walFreshness is set: its window,"
          + " the archiver's state and lag, its gaps; exits 1 when it is further behind than"
          + " walFreshness."
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
   * The worker reads the repository. The freshness limit is the one of the file the user named with
   * {@code --config}; without it, the worker's, the configuration in force. Either way a client
   * file that says otherwise is pointed out, never silently used or ignored.
   */
  private int list(TemporalConnection temporal, RunbooksConfig config) {
    BackupCatalog listed =
        BackupRuns.catalog(
            temporal.client(), connection.taskQueue(), target.name(), Clock.systemUTC());
    Duration own = config.target(target.name()).backupFreshness();
    boolean named = connection.config() != null;
    Duration limit = named ? own : listed.freshnessLimit();
    BackupCatalog catalog =
        new BackupCatalog(listed.target(), listed.location(), listed.backups(), limit);
    Optional<BackupsArchive> archive =
        BackupsArchive.read(temporal, connection, config, target.name());
    int code =
        print(catalog, archive, connection.json(), Clock.systemUTC().instant(), spec.commandLine());
    if (!Objects.equals(own, listed.freshnessLimit())) {
      PrintWriter note =
          connection.json() ? spec.commandLine().getErr() : spec.commandLine().getOut();
      String file =
          config.file().toAbsolutePath()
              + " (targets."
              + target.name()
              + ".backupFreshness, else backupFreshness)";
      note.println(
          named
              ? "NOTE: the freshness limit used is "
                  + limit(own)
                  + ", from "
                  + file
                  + "; the worker's configuration says "
                  + limit(listed.freshnessLimit())
                  + ". Make them agree: edit one of the files (the worker picks its file up on the"
                  + " next run)."
              : "NOTE: the freshness limit used is the worker's, "
                  + limit(listed.freshnessLimit())
                  + "; "
                  + file
                  + " says "
                  + limit(own)
                  + ". Pass --config to use that file's, or make them agree (the worker picks its"
                  + " file up on the next run).");
    }
    return code;
  }

  private static String limit(Duration limit) {
    return limit == null ? "none" : Text.duration(limit);
  }

  /** Prints the listing and returns 1 when it or the WAL archive is stale. */
  static int print(
      BackupCatalog catalog,
      Optional<BackupsArchive> archive,
      boolean json,
      Instant now,
      picocli.CommandLine commandLine) {
    PrintWriter out = commandLine.getOut();
    BackupReport.Freshness freshness = BackupReport.freshness(catalog, now);
    if (json) {
      Map<String, Object> document = BackupReport.catalogJson(catalog, now);
      archive.ifPresent(a -> document.put("pitr", a.json()));
      out.println(Json.write(document));
      if (!freshness.fresh()) {
        commandLine.getErr().println("runbook backups: " + freshness.problem() + ".");
      }
    } else {
      BackupReport.printCatalog(catalog, now, out);
      archive.ifPresent(a -> a.printText(out));
    }
    int code = freshness.fresh() ? ExitCodes.DONE : ExitCodes.RUNBOOK_FAILED;
    if (archive.isPresent()) {
      code = Math.max(code, archive.get().exitCode(commandLine.getErr()));
    }
    return code;
  }
}
