package dev.runbooks.cli;

import static dev.runbooks.cli.DemoCommand.TARGET;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.pgtools.Command;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.pitr.PhysicalBackupResult;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The demo's point-in-time recovery: the WAL archiver on the demo's primary, a physical base
 * backup, new orders, then a bad DELETE (its WHERE clause lost the customer), and a restore to the
 * moment before it into a scratch cluster, where the deleted orders still are. They are copied back
 * into the primary; then the scratch cluster, the archiver and its replication slots go.
 */
final class DemoPitr {
  static final int NEW_ORDERS = 100;
  static final int CUSTOMER = 42;
  static final String SLOT = "runbooks_archive_" + TARGET;

  private static final Duration ARCHIVE_WAIT = Duration.ofMinutes(2);

  private DemoPitr() {}

  /** What the part needs from the demo. */
  record Setup(
      EmbeddedRunbooks local,
      RunbooksConfig config,
      LocalCluster primary,
      LocalCluster replica,
      String password,
      Path dir,
      String initiator,
      String taskQueue,
      Screen screen) {}

  /** Runs the part; its runs for the demo's summary. */
  static List<DemoCommand.Ran> run(Setup s, PrintWriter out) throws Exception {
    WorkflowClient client = s.local().connection().client();
    List<DemoCommand.Ran> ran = new ArrayList<>();
    ArchiveRuns.start(client, s.taskQueue(), TARGET, s.initiator());
    out.println(
        "== archive start --target "
            + TARGET
            + ": "
            + WalArchiverWorkflow.workflowId(TARGET)
            + " streams the primary's WAL into the repository");
    try {
      Launcher.Finished<PhysicalBackupResult> backup = backup(s, client, out, ran);
      if (backup.result() == null) {
        return ran;
      }
      out.println();
      Incident incident = incident(s.primary(), out);
      out.println();
      restore(s, client, incident, out, ran);
      return ran;
    } finally {
      ArchiveRuns.stop(client, TARGET, "the demo is done", ARCHIVE_WAIT);
      dropSlot(s.primary());
      dropSlot(s.replica());
      out.println(
          "Stopped the WAL archiver and dropped its slot "
              + SLOT
              + " on the primary and the replica.");
    }
  }

  private static Launcher.Finished<PhysicalBackupResult> backup(
      Setup s, WorkflowClient client, PrintWriter out, List<DemoCommand.Ran> ran)
      throws InterruptedException {
    String id =
        new RunbookStarter(client, s.taskQueue(), Clock.systemUTC())
            .start(new PitrRuns(s.config(), s.initiator()).backup(TARGET, null));
    out.println("== backup " + TARGET + " --type physical: " + id);
    Launcher.Finished<PhysicalBackupResult> finished =
        follow(s, client, id, PhysicalBackupResult.class, out);
    String note = "";
    if (finished.result() != null) {
      PitrRuns.BACKUP.printText(finished.result(), out);
      note =
          "physical "
              + finished.result().backup().backupId()
              + ", "
              + Text.amount(finished.result().backup().ciphertextBytes(), "bytes");
    }
    ran.add(
        new DemoCommand.Ran(
            "backup", id, finished.end().outcome(), PitrRuns.BACKUP.exitCode(finished), note));
    return finished;
  }

  private static <R> Launcher.Finished<R> follow(
      Setup s, WorkflowClient client, String id, Class<R> result, PrintWriter out)
      throws InterruptedException {
    return Launcher.follow(
        client, id, result, new Follower(client, out, s.screen(), Clock.systemUTC()));
  }

  /** What happened on the primary: when it was still whole, and what the DELETE took. */
  record Incident(Instant whole, long ordersBefore, int deleted) {}

  private static Incident incident(LocalCluster primary, PrintWriter out) throws Exception {
    out.println("== the incident, on the primary");
    primary.execute(
        TARGET,
        "INSERT INTO orders (customer_id, placed_at, status, total_cents) SELECT "
            + CUSTOMER
            + ", now(), 'new', 1000 + g FROM generate_series(1, "
            + NEW_ORDERS
            + ") g");
    Instant whole;
    long before;
    int deleted;
    String afterDelete;
    try (Connection c = primary.connect(TARGET);
        Statement st = c.createStatement()) {
      whole =
          Instant.parse(
              one(
                  st,
                  "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                      + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"));
      before = Long.parseLong(one(st, "SELECT count(*) FROM orders"));
      out.println(
          "  "
              + whole
              + "  "
              + NEW_ORDERS
              + " new orders of customer "
              + CUSTOMER
              + " placed ("
              + before
              + " orders in all)");
      deleted = st.executeUpdate("DELETE FROM orders WHERE status = 'new'");
      afterDelete = one(st, "SELECT pg_current_wal_lsn()::text");
    }
    out.println(
        "  "
            + Text.pad("then", whole.toString().length() + 2)
            + "DELETE FROM orders WHERE status = 'new'   -- meant: AND customer_id = "
            + CUSTOMER
            + "; "
            + deleted
            + " orders gone");
    awaitArchived(primary, afterDelete);
    out.println("  the archive holds the WAL past the DELETE (" + afterDelete + ")");
    return new Incident(whole, before, deleted);
  }

  private static void restore(
      Setup s, WorkflowClient client, Incident incident, PrintWriter out, List<DemoCommand.Ran> ran)
      throws Exception {
    Path into = s.dir().resolve("orders-before-delete");
    PitrTarget to = new PitrTarget(PitrTarget.Kind.TIME, incident.whole().toString());
    String id =
        new RunbookStarter(client, s.taskQueue(), Clock.systemUTC())
            .start(
                new PitrRuns(s.config(), s.initiator())
                    .restore(TARGET, to, into.toString(), 0, null));
    out.println(
        "== restore "
            + TARGET
            + " --type physical --to-time "
            + incident.whole()
            + " --into-cluster "
            + into
            + ": "
            + id);
    Launcher.Finished<PitrRestoreOutcome> finished =
        follow(s, client, id, PitrRestoreOutcome.class, out);
    String note = "";
    if (finished.result() != null) {
      PitrRuns.RESTORE.printText(finished.result(), out);
      try {
        note = recovered(s, finished.result().port(), incident, out);
      } finally {
        stop(s.primary(), into);
      }
    }
    ran.add(
        new DemoCommand.Ran(
            "restore", id, finished.end().outcome(), PitrRuns.RESTORE.exitCode(finished), note));
  }

  /** Counts the orders in the restored cluster and copies the deleted ones back. */
  private static String recovered(Setup s, int port, Incident incident, PrintWriter out)
      throws SQLException {
    try (Connection restored =
            DriverManager.getConnection(
                "jdbc:postgresql://" + LocalCluster.HOST + ":" + port + "/" + TARGET,
                LocalCluster.SUPERUSER,
                s.password());
        Statement st = restored.createStatement();
        Connection primary = s.primary().connect(TARGET)) {
      long all = Long.parseLong(one(st, "SELECT count(*) FROM orders"));
      long back = 0;
      primary.setAutoCommit(false);
      try (ResultSet rs =
              st.executeQuery(
                  "SELECT id, customer_id, placed_at, status, total_cents FROM orders"
                      + " WHERE status = 'new'");
          PreparedStatement insert =
              primary.prepareStatement(
                  "INSERT INTO orders (id, customer_id, placed_at, status, total_cents)"
                      + " OVERRIDING SYSTEM VALUE VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
        while (rs.next()) {
          for (int i = 1; i <= 5; i++) {
            insert.setObject(i, rs.getObject(i));
          }
          insert.addBatch();
          back++;
        }
        insert.executeBatch();
      }
      primary.commit();
      out.println(
          "The restored cluster holds "
              + all
              + " orders, as the primary did before the DELETE ("
              + incident.ordersBefore()
              + "): "
              + back
              + " of the "
              + incident.deleted()
              + " deleted orders are there.");
      try (Statement p = primary.createStatement()) {
        out.println(
            "Copied them back into the primary: "
                + one(p, "SELECT count(*) FROM orders")
                + " orders again.");
      }
      return back + " of " + incident.deleted() + " deleted orders back, to " + incident.whole();
    }
  }

  /**
   * Waits until the archiver's slot, moved only past WAL the repository holds, is past {@code lsn}.
   */
  private static void awaitArchived(LocalCluster primary, String lsn) throws Exception {
    Instant deadline = Instant.now().plus(ARCHIVE_WAIT);
    String sql =
        "SELECT coalesce(bool_or(restart_lsn >= '"
            + lsn
            + "'::pg_lsn), false)::text FROM pg_replication_slots WHERE slot_name = '"
            + SLOT
            + "'";
    while (true) {
      try (Connection c = primary.connect(TARGET);
          Statement st = c.createStatement()) {
        if (one(st, sql).equals("true")) {
          return;
        }
      }
      if (Instant.now().isAfter(deadline)) {
        throw new IllegalStateException(
            "the demo's WAL archive did not reach "
                + lsn
                + " within "
                + Text.duration(ARCHIVE_WAIT)
                + ": see 'runbook status "
                + WalArchiverWorkflow.workflowId(TARGET)
                + "' and the worker's log above");
      }
      Thread.sleep(200);
    }
  }

  private static void dropSlot(LocalCluster cluster) throws SQLException {
    cluster.execute(
        "postgres",
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
            + " WHERE slot_name = '"
            + SLOT
            + "' AND NOT active");
  }

  /** Stops the restored cluster (scratch: at once); the demo's directory goes with the rest. */
  private static void stop(LocalCluster primary, Path dataDir) {
    List<String> argv = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) {
      argv.addAll(List.of("runuser", "-u", LocalCluster.SUPERUSER, "--"));
    }
    argv.addAll(
        List.of(
            primary.binaries().bin("pg_ctl").toString(),
            "-D",
            dataDir.toString(),
            "-m",
            "immediate",
            "-w",
            "stop"));
    Command.of(argv).runChecked(Duration.ofMinutes(1), "stopping the restored cluster");
  }

  private static String one(Statement st, String sql) throws SQLException {
    try (ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }
}
