package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.check.Severity;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * Everything on one machine, nothing to set up: a throwaway primary and replica from the local
 * PostgreSQL binaries with a small orders database, a configuration and a file secret store for
 * them, Temporal in memory and a worker; then the runbooks run and their reports are printed.
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the runbooks against a throwaway PostgreSQL primary and replica made from the local"
          + " PostgreSQL binaries, with Temporal in memory: a health check, then an encrypted"
          + " backup into a file repository with its restore drill, then the backup listing, then a"
          + " credential rotation, a migration of a second database (rehearsed and approved by the"
          + " demo), a point-in-time restore to before a bad DELETE (WAL archive and physical"
          + " base backup) and a switchover, through a PgBouncer in front of the primary when pgbouncer"
          + " is installed."
          + " Needs no configuration.",
      "Removes everything afterwards unless --keep."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook demo --keep")
final class DemoCommand implements Callable<Integer> {
  static final String TARGET = "orders";
  static final String SECRET = "demo/orders/admin";
  static final int CUSTOMERS = 500;
  static final int ORDERS = 5000;

  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Option(
      names = "--keep",
      description =
          "Keep the clusters running and the files in place afterwards, and print how to reuse"
              + " them.")
  boolean keep;

  /**
   * Where the demo's live views draw: the root's screen, so {@code --no-color} is honoured as well
   * as {@code NO_COLOR}.
   */
  Screen screen() {
    return root.screen();
  }

  /** One runbook run of the demo, for the summary at the end. */
  record Ran(String kind, String workflowId, String outcome, int exitCode, String note) {}

  @Override
  public Integer call() throws Exception {
    connection.textOnly(
        "demo", "each runbook started with --embedded -o json prints its result as JSON");
    if (connection.temporal != null || connection.config() != null) {
      throw new UsageException(
          "demo makes its own Temporal and configuration, so --temporal and --config do not"
              + " apply. Use 'runbook dev' or 'runbook check' for your own.");
    }
    PgBinaries binaries = binaries();
    PrintWriter out = spec.commandLine().getOut();
    Path dir = Files.createTempDirectory("runbook-demo-");
    // The servers run as the postgres user when we are root; they must reach their directories.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    List<LocalCluster> clusters = new ArrayList<>();
    LocalPgBouncer bouncer = null;
    boolean kept = false;
    try {
      String password = DemoSetup.newPassword();
      LocalCluster primary =
          LocalCluster.builder()
              .baseDir(dir.resolve("postgres"))
              .name("demo-primary")
              .binaries(binaries)
              .scram(password)
              .setting("shared_preload_libraries", "pg_stat_statements")
              .start();
      clusters.add(primary);
      LocalCluster replica = primary.createReplica("demo-replica");
      clusters.add(0, replica);
      DemoSetup.loadSampleData(primary, replica);
      out.println(
          "PostgreSQL primary on "
              + LocalCluster.HOST
              + ":"
              + primary.port()
              + " and streaming replica on "
              + LocalCluster.HOST
              + ":"
              + replica.port()
              + ", database "
              + TARGET
              + " with "
              + CUSTOMERS
              + " customers and "
              + ORDERS
              + " orders.");

      // Only for the switchover, which --keep leaves out: a kept configuration would name a
      // PgBouncer that is gone once the demo exits.
      bouncer = keep ? null : DemoPooler.start(primary, password, out);
      if (bouncer != null) {
        out.println(
            "PgBouncer on "
                + bouncer.host()
                + ":"
                + bouncer.port()
                + " in front of the primary (failover.pooler), ini "
                + bouncer.iniFile()
                + ".");
      }

      Path secrets = dir.resolve("secrets.json");
      SecretStore store = SecretStores.open("file://" + secrets, dir);
      store.write(SECRET, Map.of("username", "postgres", "password", password), OptionalInt.of(0));
      if (bouncer != null) {
        DemoPooler.writeSecret(store, bouncer);
      }
      Path configFile = DemoSetup.writeConfig(dir, primary, replica, DemoPooler.config(bouncer));
      RunbooksConfig config = ConfigLoader.load(configFile, Map.of());
      out.println("Configuration " + configFile + ", admin password in " + secrets + " (0600).");

      List<Ran> ran = new ArrayList<>();
      try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, connection.taskQueue())) {
        out.println(
            "Temporal (in memory) on "
                + local.temporal().address()
                + ", worker on task queue "
                + connection.taskQueue()
                + ".");
        out.println();
        ran.add(check(local, config, out));
        out.println();
        ran.add(backup(local, config, out));
        out.println();
        ran.add(backups(local, out));
        out.println();
        ran.add(
            DemoRotation.rotate(
                local,
                config,
                primary,
                Identity.user(root.env()),
                connection.taskQueue(),
                screen(),
                out));
        out.println();
        ran.add(
            DemoMigration.run(
                local, config, connection.taskQueue(), Identity.user(root.env()), screen(), out));
        out.println();
        ran.addAll(
            DemoPitr.run(
                new DemoPitr.Setup(
                    local,
                    config,
                    primary,
                    replica,
                    password,
                    dir,
                    Identity.user(root.env()),
                    connection.taskQueue(),
                    screen()),
                out));
        out.println();
        // Last, and not with --keep: a switchover leaves the pair swapped and the old primary
        // fenced.
        if (!keep) {
          ran.add(
              DemoFailover.switchover(
                  local.connection().client(),
                  connection.taskQueue(),
                  config,
                  Identity.user(root.env()),
                  new Follower(local.connection().client(), out, screen(), Clock.systemUTC()),
                  bouncer,
                  password,
                  out));
        }
      }

      out.println();
      out.println("Runbook runs:");
      int exit = ExitCodes.DONE;
      for (Ran r : ran) {
        out.println(
            "  "
                + Text.pad(r.kind(), 8)
                + Text.pad(r.workflowId(), 34)
                + Text.pad(r.outcome() + " (exit " + r.exitCode() + ")", 24)
                + r.note());
        exit = Math.max(exit, r.exitCode());
      }
      out.println();
      if (keep) {
        for (LocalCluster cluster : clusters) {
          cluster.keepAfterExit();
        }
        kept = true;
        DemoSetup.printKept(out, dir, configFile, primary, replica);
      } else {
        out.println("Removed the clusters and " + dir + " (--keep keeps them).");
      }
      return exit;
    } finally {
      if (bouncer != null) {
        bouncer.close();
      }
      if (!kept) {
        for (LocalCluster cluster : clusters) {
          cluster.close();
        }
        DemoSetup.deleteTree(dir);
      }
    }
  }

  /** {@code RUNBOOKS_PG_BIN} from the command's environment first, then the usual lookup. */
  private PgBinaries binaries() {
    String binDir = root.env().get(PgBinaries.ENV);
    return binDir == null || binDir.isBlank()
        ? PgBinaries.require()
        : PgBinaries.at(Path.of(binDir));
  }

  private Ran check(EmbeddedRunbooks local, RunbooksConfig config, PrintWriter out)
      throws InterruptedException {
    CheckRunner runner =
        new CheckRunner(
            local.connection().client(), connection.taskQueue(), Identity.user(root.env()));
    String id = runner.start(config.target(TARGET), config.check().longTransaction(), null);
    out.println("== check " + TARGET + ": " + id);
    CheckRunner.Finished finished =
        runner.follow(
            id, new Follower(local.connection().client(), out, screen(), Clock.systemUTC()));
    String note = "";
    if (finished.result() != null) {
      CheckReport.printText(finished.result(), config.target(TARGET).primary().toString(), out);
      long warnings =
          finished.result().findings().stream().filter(f -> f.severity() == Severity.WARN).count();
      note = warnings + " warning" + (warnings == 1 ? "" : "s");
    }
    return new Ran("check", id, finished.end().outcome(), finished.exitCode(), note);
  }

  /** A backup of the sample database into the demo's file repository, with its drill. */
  private Ran backup(EmbeddedRunbooks local, RunbooksConfig config, PrintWriter out)
      throws InterruptedException {
    WorkflowClient client = local.connection().client();
    RunbookStarter.Launch launch =
        new BackupRuns(config, Identity.user(root.env())).backup(TARGET, true, null);
    String id = new RunbookStarter(client, connection.taskQueue(), Clock.systemUTC()).start(launch);
    out.println("== backup " + TARGET + " -> " + config.repository().uri() + ": " + id);
    Launcher.Finished<BackupResult> finished =
        Launcher.follow(
            client, id, BackupResult.class, new Follower(client, out, screen(), Clock.systemUTC()));
    String note = "";
    if (finished.result() != null) {
      BackupReport.BACKUP.printText(finished.result(), out);
      BackupResult result = finished.result();
      note =
          result.backup().backupId()
              + ", "
              + Text.amount(result.backup().ciphertextBytes(), "bytes")
              + ", drill "
              + (result.drill() == null
                  ? "not run"
                  : result.drill().passed() ? "passed" : "FAILED");
    }
    return new Ran(
        "backup", id, finished.end().outcome(), BackupReport.BACKUP.exitCode(finished), note);
  }

  /** The repository's listing, as {@code runbook backups} shows it. */
  private Ran backups(EmbeddedRunbooks local, PrintWriter out) {
    String id = BackupRuns.catalogId(TARGET, Clock.systemUTC());
    out.println("== backups " + TARGET + ": " + id);
    BackupCatalog catalog =
        BackupRuns.catalog(local.connection().client(), connection.taskQueue(), TARGET, id);
    Instant now = Instant.now();
    BackupReport.printCatalog(catalog, now, out);
    BackupReport.Freshness freshness = BackupReport.freshness(catalog, now);
    int exit = freshness.fresh() ? ExitCodes.DONE : ExitCodes.RUNBOOK_FAILED;
    return new Ran(
        "backups",
        id,
        freshness.fresh() ? "FRESH" : "STALE",
        exit,
        catalog.backups().size() + " backup" + (catalog.backups().size() == 1 ? "" : "s"));
  }
}
