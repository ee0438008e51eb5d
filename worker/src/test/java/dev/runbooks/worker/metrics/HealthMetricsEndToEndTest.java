package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real check run on the in-memory Temporal, against a primary with a streaming replica whose
 * replay is paused, a slot holding WAL and a deadlock the server broke, then scraped: the endpoint
 * shows what the check measured, from Temporal, and a worker started afresh shows the same.
 */
class HealthMetricsEndToEndTest {
  private static final String QUEUE = "health-metrics";
  private static final Duration SCRAPE = Duration.ofSeconds(60);

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);

  @TempDir Path dir;

  @Test
  void theNewestCheckRunsFiguresAreScrapedAndSurviveARestart() throws Exception {
    RunbooksConfig config = config();
    LocalCluster replica = pg.replica(0);
    String replicaLabel = "replica=\"" + replica.name() + "\"";
    try (EmbeddedRunbooks local = EmbeddedRunbooks.start(0, config, QUEUE)) {
      Map<String, String> never = healthSamples(scrape(local.connection(), config));
      assertEquals(
          "0.0", never.get("runbooks_check_last_timestamp_seconds{target=\"orders\"}"), "" + never);

      pg.primary().execute("postgres", "SELECT pg_create_physical_replication_slot('held', true)");
      pg.primary().execute("postgres", "CREATE TABLE t (i int)", "INSERT INTO t VALUES (1), (2)");
      // Seconds behind are counted from the last commit the replica replayed: it needs one.
      await(replica, "SELECT pg_last_xact_replay_timestamp() IS NOT NULL", "replayed a commit");
      replica.execute("postgres", "SELECT pg_wal_replay_pause()");
      try {
        deadlock();
        awaitPaused(replica);
        pg.primary().execute("postgres", "INSERT INTO t SELECT generate_series(1, 10000)");
        Instant before = Instant.now();
        CheckResult result = check(local.connection().client());
        Instant after = Instant.now();

        Map<String, String> first = healthSamples(scrape(local.connection(), config));
        double lag = value(first, "runbooks_replication_lag_bytes{", replicaLabel);
        assertTrue(lag > 0, "lag " + lag + " in " + first);
        value(first, "runbooks_replication_lag_seconds{", replicaLabel);
        assertTrue(
            value(first, "runbooks_replication_slot_retained_wal_bytes{", "slot=\"held\"") > 0,
            "" + first);
        assertTrue(
            value(first, "runbooks_database_xid_age{", "database=\"postgres\"") > 0, "" + first);
        assertTrue(
            value(first, "runbooks_database_size_bytes{", "database=\"postgres\"") > 1_000_000,
            "" + first);
        assertTrue(value(first, "runbooks_deadlocks_total{", "target=\"orders\"") >= 1, "" + first);
        assertTrue(value(first, "runbooks_connections{", "target=\"orders\"") >= 1, "" + first);
        assertEquals(100.0, value(first, "runbooks_connections_max{", "target=\"orders\""));
        assertEquals(0.0, value(first, "runbooks_lock_waits{", "target=\"orders\""));
        assertEquals(0.0, value(first, "runbooks_long_transactions{", "target=\"orders\""));
        // The paused replica is a warning of the replicas check; nothing is critical.
        assertTrue(
            value(first, "runbooks_check_findings{", "check=\"replicas\"", "severity=\"warn\"")
                >= 1,
            "" + first + "\n" + result.findings());
        assertEquals(
            0.0,
            value(
                first, "runbooks_check_findings{", "check=\"replicas\"", "severity=\"critical\""));
        double at = value(first, "runbooks_check_last_timestamp_seconds{", "target=\"orders\"");
        assertTrue(
            at >= before.getEpochSecond() - 1 && at <= after.getEpochSecond() + 1,
            at + " not within the check run " + before + ".." + after);

        // A worker started afresh on the same Temporal: nothing came from the first one's memory.
        try (TemporalConnection again = local.temporal().connect()) {
          assertEquals(first, healthSamples(scrape(again, config)));
        }
      } finally {
        replica.execute("postgres", "SELECT pg_wal_replay_resume()");
        pg.primary().execute("postgres", "SELECT pg_drop_replication_slot('held')");
      }
    }
  }

  /** A worker's metrics endpoint on {@code temporal}, scraped once and closed. */
  static String scrape(TemporalConnection temporal, RunbooksConfig config) throws Exception {
    ConfigSource source = ConfigSource.fixed(config);
    // Read afresh at every scrape, waiting as long as a loaded machine may need.
    try (RunbooksMetrics metrics = RunbooksMetrics.forConfig(source, Duration.ZERO, SCRAPE)) {
      metrics.watchChecks(temporal.client());
      try (MetricsEndpoint endpoint =
          MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics)) {
        return Scrapes.scrape(endpoint.port(), SCRAPE.plusSeconds(30));
      }
    }
  }

  private static CheckResult check(WorkflowClient client) {
    return client
        .newWorkflowStub(
            CheckWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId("check-orders-health-metrics")
                .setTaskQueue(QUEUE)
                .setWorkflowExecutionTimeout(Duration.ofMinutes(5))
                .build())
        .run(
            new CheckRequest(
                new RunbookRequest("orders", "tester", false, Duration.ofHours(1)),
                Duration.ofMinutes(5)));
  }

  /** The series of the health metrics (runbooks/metrics.md), by series line. */
  static Map<String, String> healthSamples(String text) {
    Map<String, String> samples = new TreeMap<>();
    for (String prefix :
        List.of(
            "runbooks_check_",
            "runbooks_replication_",
            "runbooks_long_transactions",
            "runbooks_lock_waits",
            "runbooks_deadlocks",
            "runbooks_connections",
            "runbooks_database_")) {
      samples.putAll(Scrapes.samples(text, prefix));
    }
    return samples;
  }

  /** The value of the one series of {@code metric} whose labels include all of {@code labels}. */
  private static double value(Map<String, String> samples, String metric, String... labels) {
    List<Map.Entry<String, String>> matching =
        samples.entrySet().stream()
            .filter(e -> e.getKey().startsWith(metric))
            .filter(e -> List.of(labels).stream().allMatch(l -> e.getKey().contains(l)))
            .toList();
    assertEquals(1, matching.size(), metric + " " + List.of(labels) + " in " + samples);
    return Double.parseDouble(matching.get(0).getValue());
  }

  private static void awaitPaused(LocalCluster replica) throws Exception {
    await(replica, "SELECT pg_get_wal_replay_pause_state() = 'paused'", "paused its replay");
  }

  /** Until {@code condition} holds on {@code replica}, writing on the primary meanwhile. */
  private static void await(LocalCluster replica, String condition, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      // A pause takes effect at the replica's next WAL record.
      pg.primary().execute("postgres", "INSERT INTO t VALUES (3)");
      try (Connection c = replica.connect("postgres");
          Statement s = c.createStatement();
          ResultSet rs = s.executeQuery(condition)) {
        rs.next();
        if (rs.getBoolean(1)) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError(replica.name() + " has not " + what + " within 60 s");
  }

  /** Two sessions update two rows in opposite order; the server ends one statement. */
  private static void deadlock() throws Exception {
    ExecutorService sessions = Executors.newFixedThreadPool(2);
    try (Connection first = pg.primary().connect("postgres");
        Connection second = pg.primary().connect("postgres")) {
      for (Connection c : List.of(first, second)) {
        c.setAutoCommit(false);
        execute(c, "SET deadlock_timeout = '100ms'");
      }
      execute(first, "UPDATE t SET i = i WHERE i = 1");
      execute(second, "UPDATE t SET i = i WHERE i = 2");
      Future<?> a = sessions.submit(() -> execute(first, "UPDATE t SET i = i WHERE i = 2"));
      Future<?> b = sessions.submit(() -> execute(second, "UPDATE t SET i = i WHERE i = 1"));
      int broken = 0;
      for (Future<?> f : List.of(a, b)) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          broken++;
        }
      }
      assertEquals(1, broken, "the server breaks a deadlock by ending one statement");
      first.rollback();
      second.rollback();
    } finally {
      sessions.shutdownNow();
    }
  }

  private static Void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  private RunbooksConfig config() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: postgres }\n"
                + "    replicas: [ { name: "
                + pg.replica(0).name()
                + ", host: 127.0.0.1, port: "
                + pg.replica(0).port()
                + " } ]\n"
                + "    admin: { user: postgres }\n");
    return ConfigLoader.load(file, Map.of());
  }
}
