package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.pitr.ArchiverRequest;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The WAL archive's gauges follow the archive as it is: caught up while the archiver runs, behind
 * (in bytes and seconds) once it stops and the primary writes on, the time since the last store
 * when the primary is down, and +Inf for a target with no archive at all.
 */
class WalArchiveLagTest {
  private static final String QUEUE = "wal-archive-lag";

  @TempDir Path dir;

  @Test
  void theLagFollowsTheArchiveAndThePrimary() throws Exception {
    try (LocalCluster primary = LocalCluster.builder().name("lagged").start();
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      RunbooksConfig config = ConfigLoader.load(writeConfig(primary), System.getenv());
      WorkflowClient client = connection.client();
      RunbookWorker worker =
          RunbookWorker.start(client, QUEUE, Activities.build(config, client, QUEUE));
      try (RunbooksMetrics metrics =
              RunbooksMetrics.forConfig(
                  ConfigSource.fixed(config), Duration.ZERO, Duration.ofSeconds(30));
          MetricsEndpoint endpoint =
              MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics)) {
        metrics.readRunsFrom(client);
        int port = endpoint.port();

        Map<String, String> plain = Scrapes.samples(Scrapes.scrape(port, TIMEOUT), "runbooks_");
        assertEquals("+Inf", plain.get(series("runbooks_wal_archive_lag_seconds", "plain")));
        assertEquals("NaN", plain.get(series("runbooks_wal_archive_lag_bytes", "plain")));
        assertEquals(
            "0.0", plain.get(series("runbooks_wal_archive_window_end_timestamp_seconds", "plain")));
        assertEquals("NaN", plain.get(series("runbooks_wal_freshness_limit_seconds", "plain")));
        assertEquals("0.0", plain.get(series("runbooks_wal_archiver_running", "plain")));
        assertEquals(
            "60.0",
            plain.get(series("runbooks_wal_freshness_limit_seconds", "orders")),
            "" + plain);

        WalArchiverWorkflow archiver =
            client.newWorkflowStub(
                WalArchiverWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(WalArchiverWorkflow.workflowId("orders"))
                    .setTaskQueue(QUEUE)
                    .build());
        WorkflowClient.start(archiver::run, ArchiverRequest.start("orders", "tester"));
        Map<String, String> caughtUp =
            waitFor(
                port,
                s ->
                    "0.0".equals(s.get(series("runbooks_wal_archive_lag_bytes", "orders")))
                        && "1.0".equals(s.get(series("runbooks_wal_archiver_running", "orders"))));
        assertEquals("0.0", caughtUp.get(series("runbooks_wal_archive_lag_seconds", "orders")));
        // No base backup yet: WAL alone restores nothing.
        assertEquals(
            "0.0",
            caughtUp.get(series("runbooks_wal_archive_window_start_timestamp_seconds", "orders")));

        archiver.stop("the test stops it");
        client
            .newUntypedWorkflowStub(WalArchiverWorkflow.workflowId("orders"))
            .getResult(120, TimeUnit.SECONDS, Void.class);
        Instant stopped = Instant.now();
        primary.execute(
            "postgres",
            "CREATE TABLE after_the_stop (n int)",
            "INSERT INTO after_the_stop VALUES (1)");
        Thread.sleep(3_000);
        Map<String, String> behind = Scrapes.samples(Scrapes.scrape(port, TIMEOUT), "runbooks_");
        assertTrue(
            Double.parseDouble(behind.get(series("runbooks_wal_archive_lag_bytes", "orders"))) > 0,
            behind.toString());
        double lag =
            Double.parseDouble(behind.get(series("runbooks_wal_archive_lag_seconds", "orders")));
        assertTrue(lag >= 3, "lag " + lag + " s, 3 s after the archiver stopped: " + behind);
        assertEquals("0.0", behind.get(series("runbooks_wal_archiver_running", "orders")));

        primary.stop();
        Map<String, String> down = Scrapes.samples(Scrapes.scrape(port, TIMEOUT), "runbooks_");
        assertEquals("NaN", down.get(series("runbooks_wal_archive_lag_bytes", "orders")));
        double downLag =
            Double.parseDouble(down.get(series("runbooks_wal_archive_lag_seconds", "orders")));
        double sinceStop = Duration.between(stopped, Instant.now()).toMillis() / 1000.0;
        assertTrue(
            downLag > lag && downLag >= sinceStop,
            "lag with the primary down " + downLag + " s, " + sinceStop + " s after the stop");
        assertEquals("0.0", down.get(series("runbooks_recoverability_error", "orders")));
      } finally {
        worker.close();
      }
    }
  }

  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static Map<String, String> waitFor(int port, Predicate<Map<String, String>> done)
      throws Exception {
    Instant deadline = Instant.now().plusSeconds(120);
    Map<String, String> samples;
    do {
      samples = Scrapes.samples(Scrapes.scrape(port, TIMEOUT), "runbooks_");
      if (done.test(samples)) {
        return samples;
      }
      Thread.sleep(500);
    } while (Instant.now().isBefore(deadline));
    throw new AssertionError("not within 120 s: " + samples);
  }

  private static String series(String name, String target) {
    return name + "{target=\"" + target + "\"}";
  }

  private Path writeConfig(LocalCluster primary) throws Exception {
    String endpoint = ": { host: 127.0.0.1, port: " + primary.port() + ", database: postgres }\n";
    return Files.writeString(
        dir.resolve("runbooks.yaml"),
        "targets:\n"
            + "  orders:\n"
            + "    primary"
            + endpoint
            + "    admin: { user: postgres }\n"
            + "    walFreshness: PT1M\n"
            + "  plain:\n"
            + "    primary"
            + endpoint
            + "    admin: { user: postgres }\n"
            + "repository: file://"
            + dir.resolve("backups")
            + "\nencryption: local-keyset:"
            + dir.resolve("keyset.json")
            + "\n");
  }
}
