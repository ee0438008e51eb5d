package dev.runbooks.activities.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runbooks.activities.check.FixtureConnections.Endpoint;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.Deadlocks;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The numbers the checks keep beside their findings (for the metrics endpoint), each provoked for
 * real on a primary with a streaming replica: paused replay, a slot holding WAL, a deadlock the
 * server broke, a transaction left open, a session waiting on a lock.
 */
class CheckFiguresTest {
  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);

  private static final String DB = "orders";
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final CheckInput INPUT =
      new CheckInput(FixtureConnections.TARGET, Duration.ofSeconds(1));

  private final ExecutorService sessions = Executors.newCachedThreadPool();

  @BeforeAll
  static void database() throws SQLException {
    pg.primary().execute("postgres", "CREATE DATABASE " + DB);
    pg.primary().execute(DB, "CREATE TABLE t (i int)", "INSERT INTO t VALUES (1), (2)");
    // The replica must have replayed the database before a test pauses its replay: else the
    // check cannot connect to it there ("database orders does not exist"), as seen under load.
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!replayed(pg.replica(0))) {
      if (System.nanoTime() > deadline) {
        fail("replica0 never replayed database " + DB + " and its table within " + DEADLINE);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  private static boolean replayed(LocalCluster replica) {
    try (Connection c = replica.connect(DB);
        java.sql.Statement s = c.createStatement();
        java.sql.ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
      return rs.next() && rs.getLong(1) == 2;
    } catch (SQLException notYet) {
      return false;
    }
  }

  @AfterEach
  void stopSessions() throws InterruptedException {
    sessions.shutdownNow();
    assertTrue(sessions.awaitTermination(30, TimeUnit.SECONDS), "test sessions did not end");
  }

  @Test
  void aPausedReplicaLagsInBytesAndASlotRetainsWal() throws SQLException {
    LocalCluster replica = pg.replica(0);
    pg.primary().execute("postgres", "SELECT pg_create_physical_replication_slot('held', true)");
    replica.execute("postgres", "SELECT pg_wal_replay_pause()");
    try {
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      Map<String, Double> figures;
      Findings report;
      do {
        pg.primary().execute(DB, "INSERT INTO t SELECT generate_series(1, 1000)");
        report = checks().checkReplicas(INPUT);
        figures = figures(report);
      } while (figures.getOrDefault("replication_lag_bytes{replica=replica0}", 0.0) <= 0
          && System.nanoTime() < deadline);

      // The findings say why a figure is missing (a replica not streaming, a primary not reached).
      String seen = figures + " from " + report;
      assertTrue(figures.getOrDefault("replication_lag_bytes{replica=replica0}", 0.0) > 0, seen);
      assertTrue(figures.containsKey("replication_lag_seconds{replica=replica0}"), seen);
      assertTrue(
          figures.getOrDefault("replication_slot_retained_wal_bytes{slot=held}", 0.0) > 0, seen);
    } finally {
      replica.execute("postgres", "SELECT pg_wal_replay_resume()");
      pg.primary().execute("postgres", "SELECT pg_drop_replication_slot('held')");
    }
  }

  @Test
  void everyDatabaseHasItsXidAgeAndSizeAndTheTargetItsConnections() throws SQLException {
    Map<String, Double> sizes = figures(checks().checkDatabaseSize(INPUT));
    for (String db : List.of(DB, "postgres", "template0", "template1")) {
      assertTrue(sizes.get("database_xid_age{database=" + db + "}") > 0, sizes::toString);
      assertTrue(
          sizes.get("database_size_bytes{database=" + db + "}") > 1_000_000, sizes::toString);
    }

    Map<String, Double> connections = figures(checks().checkConnections(INPUT));
    assertTrue(connections.get("connections{}") >= 1, connections::toString);
    assertEquals(100.0, connections.get("connections_max{}"), connections::toString);
  }

  @Test
  void aDeadlockTheServerBrokeCountsAndOpenTransactionsAndLockWaitsAreCounted() throws Exception {
    double before = figures(checks().checkLockChains(INPUT)).get("deadlocks{}");
    Deadlocks.provoke(pg.primary(), DB, "t");
    assertEquals(
        before + 1, figures(checks().checkLockChains(INPUT)).get("deadlocks{}"), "deadlocks");

    try (Connection holder = pg.primary().connect(DB);
        Connection waiter = pg.primary().connect(DB)) {
      holder.setAutoCommit(false);
      execute(holder, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
      Future<?> waits = sessions.submit(() -> execute(waiter, "SELECT count(*) FROM t"));
      Map<String, Double> locks = figures(checks().checkLockChains(INPUT));
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (locks.get("lock_waits{}") < 1 && System.nanoTime() < deadline) {
        Thread.sleep(100);
        locks = figures(checks().checkLockChains(INPUT));
      }
      assertEquals(1.0, locks.get("lock_waits{}"), locks::toString);
      Thread.sleep(1500); // past the one-second limit of INPUT
      Map<String, Double> open = figures(checks().checkLongTransactions(INPUT));
      // The holder's transaction and the waiter's statement, open as long.
      assertEquals(2.0, open.get("long_transactions{}"), open::toString);
      holder.rollback();
      waits.get(30, TimeUnit.SECONDS);
    }
    assertEquals(0.0, figures(checks().checkLockChains(INPUT)).get("lock_waits{}"));
  }

  private static Void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  /** {@code name{label=value}} to value, over every finding. */
  private static Map<String, Double> figures(Findings findings) {
    Map<String, Double> byKey = new java.util.TreeMap<>();
    for (Finding f : findings.findings()) {
      for (Figure figure : f.figures()) {
        StringBuilder key = new StringBuilder(figure.name()).append('{');
        figure.labels().forEach((k, v) -> key.append(k).append('=').append(v));
        byKey.put(key.append('}').toString(), figure.value());
      }
    }
    if (byKey.isEmpty()) {
      fail("no figures in " + findings);
    }
    return byKey;
  }

  private static CheckActivitiesImpl checks() {
    return new CheckActivitiesImpl(
        FixtureConnections.of(
                new Endpoint("primary", pg.primary().host(), pg.primary().port()),
                new Endpoint("replica0", pg.replica(0).host(), pg.replica(0).port()))
            .withDatabase(DB),
        CheckThresholds.defaults());
  }
}
