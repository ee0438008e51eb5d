package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.failover.FailoverRequest;
import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.failover.FailoverWorkflow;
import dev.runbooks.workflows.pitr.ArchiverRequest;
import dev.runbooks.workflows.pitr.PhysicalBackupRequest;
import dev.runbooks.workflows.pitr.PhysicalBackupWorkflow;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.rotation.RotationWorkflow;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every recoverability gauge from real runs: a planned switchover, a rotation, a WAL archive with a
 * physical base backup, and a verified logical backup, on a real primary and replica, the in-memory
 * Temporal and a file repository. The gauges say what those runs did; then the worker and its
 * endpoint are closed, a new worker with a new endpoint starts on the same Temporal and repository,
 * and its gauges are the same (acceptance 2 of issue 17).
 */
class RecoverabilityAfterRestartTest {
  private static final String QUEUE = "recoverability-restart";
  private static final String TARGET = "orders";

  /** The recoverability metrics, by name: what must hold across a restart. */
  private static final List<String> RECOVERABILITY =
      List.of(
          "runbooks_recoverability_error",
          "runbooks_backup_newest_timestamp_seconds",
          "runbooks_backup_newest_verified_timestamp_seconds",
          "runbooks_backups",
          "runbooks_repository_bytes",
          "runbooks_backup_freshness_limit_seconds",
          "runbooks_drill_last_passed",
          "runbooks_drill_last_timestamp_seconds",
          "runbooks_drill_last_restore_duration_seconds",
          "runbooks_wal_archive_lag_seconds",
          "runbooks_wal_archive_lag_bytes",
          "runbooks_wal_archive_window_start_timestamp_seconds",
          "runbooks_wal_archive_window_end_timestamp_seconds",
          "runbooks_wal_freshness_limit_seconds",
          "runbooks_wal_archiver_running",
          "runbooks_rotation_newest_timestamp_seconds",
          "runbooks_switchover_last_timestamp_seconds",
          "runbooks_switchover_last_write_outage_seconds",
          "runbooks_switchover_last_lost_bytes");

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);

  @TempDir Path dir;

  @Test
  void theRecoverabilityGaugesShowTheRunsAndAreTheSameAfterAWorkerRestart() throws Exception {
    pg.primary()
        .execute(
            "postgres",
            "CREATE TABLE t (n int)",
            "INSERT INTO t SELECT generate_series(1, 1000)",
            "CREATE ROLE orders_app NOLOGIN",
            "GRANT SELECT ON t TO orders_app");
    RunbooksConfig config = ConfigLoader.load(writeConfig(), System.getenv());
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Map<String, Double> before;
      FailoverResult switchover;
      Instant rotatedFrom;
      Instant rotatedTo;
      try (TemporalConnection connection = temporal.connect()) {
        WorkflowClient client = connection.client();
        RunbookWorker worker =
            RunbookWorker.start(client, QUEUE, Activities.build(config, client, QUEUE));
        try (RunbooksMetrics metrics = metrics(config, client);
            MetricsEndpoint endpoint = endpoint(metrics)) {
          switchover =
              stub(client, FailoverWorkflow.class, "failover-orders-1")
                  .run(new FailoverRequest(runbook(), "replica0", null, false, false));
          rotatedFrom = Instant.now();
          stub(client, RotationWorkflow.class, "rotate-orders-1")
              .run(
                  new RotationRequest(
                      runbook(),
                      "orders_app",
                      RotationStrategy.ALTERNATING,
                      Duration.ofSeconds(1)));
          rotatedTo = Instant.now();
          WalArchiverWorkflow archiver =
              stub(client, WalArchiverWorkflow.class, WalArchiverWorkflow.workflowId(TARGET));
          WorkflowClient.start(archiver::run, ArchiverRequest.start(TARGET, "tester"));
          stub(client, PhysicalBackupWorkflow.class, "backup-orders-physical")
              .run(new PhysicalBackupRequest(runbook(), null));
          BackupResult logical =
              stub(client, BackupWorkflow.class, "backup-orders-1")
                  .run(new BackupRequest(runbook(), true, null));
          assertNotNull(logical);

          before = settled(endpoint.port());
          System.out.println("recoverability before the restart:\n" + text(before));
          assertEquals(1.0, before.get(series("runbooks_wal_archiver_running")), text(before));
          double start = before.get(series("runbooks_wal_archive_window_start_timestamp_seconds"));
          double end = before.get(series("runbooks_wal_archive_window_end_timestamp_seconds"));
          double now = Instant.now().getEpochSecond();
          assertTrue(start > now - 600 && start <= end && end <= now + 5, text(before));
          double lag = before.get(series("runbooks_wal_archive_lag_seconds"));
          assertTrue(lag >= 0 && lag < 60, "lag " + lag + ": " + text(before));
          assertTrue(before.get(series("runbooks_wal_archive_lag_bytes")) >= 0, text(before));
          assertEquals(300.0, before.get(series("runbooks_wal_freshness_limit_seconds")));
          assertEquals(1.0, before.get(series("runbooks_drill_last_passed")), text(before));
          assertTrue(
              before.get(series("runbooks_backup_newest_verified_timestamp_seconds")) > 0,
              text(before));
          double rotated =
              before.get(
                  "runbooks_rotation_newest_timestamp_seconds{role=\"orders_app\",target=\"orders\"}");
          assertTrue(
              rotated >= rotatedFrom.getEpochSecond() - 1
                  && rotated <= rotatedTo.getEpochSecond() + 1,
              "rotation at " + rotated + ", run between " + rotatedFrom + " and " + rotatedTo);
          assertNotNull(switchover.writeOutage(), switchover.toString());
          assertEquals(
              switchover.writeOutage().toNanos() / 1e9,
              before.get(series("runbooks_switchover_last_write_outage_seconds")),
              1e-6);
          assertEquals(0.0, before.get(series("runbooks_switchover_last_lost_bytes")));
        } finally {
          worker.close();
        }
      }

      // A new worker and endpoint, on the same Temporal and repository.
      try (TemporalConnection connection = temporal.connect()) {
        WorkflowClient client = connection.client();
        RunbookWorker worker =
            RunbookWorker.start(client, QUEUE, Activities.build(config, client, QUEUE));
        try (RunbooksMetrics metrics = metrics(config, client);
            MetricsEndpoint endpoint = endpoint(metrics)) {
          Map<String, Double> after = recoverability(endpoint.port());
          assertEquals(before.keySet(), after.keySet(), "after:\n" + text(after));
          for (Map.Entry<String, Double> b : before.entrySet()) {
            assertEquals(
                b.getValue(),
                after.get(b.getKey()),
                b.getKey() + "\nbefore:\n" + text(before) + "\nafter:\n" + text(after));
          }
        } finally {
          worker.close();
        }
      }
    }
  }

  /**
   * The gauges once every figure is there and the archive holds all the primary wrote (lag 0, so
   * the comparison after the restart needs no tolerance): two scrapes 5 s apart that agree.
   */
  private static Map<String, Double> settled(int port) throws Exception {
    Instant deadline = Instant.now().plusSeconds(180);
    Map<String, Double> last = Map.of();
    while (Instant.now().isBefore(deadline)) {
      Map<String, Double> now = recoverability(port);
      if (now.size() == RECOVERABILITY.size()
          && Double.valueOf(0).equals(now.get(series("runbooks_wal_archive_lag_bytes")))
          && now.equals(last)) {
        return now;
      }
      last = now;
      Thread.sleep(5_000);
    }
    throw new AssertionError("the gauges never settled within 180 s:\n" + text(last));
  }

  private static Map<String, Double> recoverability(int port) throws Exception {
    Map<String, Double> values = new TreeMap<>();
    Scrapes.samples(Scrapes.scrape(port, Duration.ofSeconds(60)), "runbooks_")
        .forEach(
            (s, v) -> {
              if (RECOVERABILITY.contains(s.substring(0, s.indexOf('{')))) {
                values.put(s, Double.valueOf(v));
              }
            });
    assertFalse(values.isEmpty(), "no recoverability series");
    return values;
  }

  private static String series(String name) {
    return name + "{target=\"" + TARGET + "\"}";
  }

  private static String text(Map<String, Double> values) {
    StringBuilder s = new StringBuilder();
    values.forEach((k, v) -> s.append(k).append(' ').append(v).append('\n'));
    return s.toString();
  }

  private static RunbooksMetrics metrics(RunbooksConfig config, WorkflowClient client) {
    RunbooksMetrics metrics =
        RunbooksMetrics.forConfig(
            ConfigSource.fixed(config), Duration.ZERO, Duration.ofSeconds(30));
    metrics.readRunsFrom(client);
    return metrics;
  }

  private static MetricsEndpoint endpoint(RunbooksMetrics metrics) {
    return MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics);
  }

  private static RunbookRequest runbook() {
    return new RunbookRequest(TARGET, "tester", false, Duration.ofHours(1));
  }

  private static <T> T stub(WorkflowClient client, Class<T> type, String id) {
    return client.newWorkflowStub(
        type,
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(QUEUE)
            .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
            .build());
  }

  private Path writeConfig() throws Exception {
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/orders/admin",
            Map.of("username", "postgres", "password", "unused"),
            OptionalInt.of(0));
    return Files.writeString(
        dir.resolve("runbooks.yaml"),
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + pg.primary().port()
            + ", database: postgres, sslmode: disable }\n"
            + "    replicas:\n"
            + "      - { name: replica0, host: 127.0.0.1, port: "
            + pg.replica(0).port()
            + " }\n"
            + "    admin: { secret: db/orders/admin }\n"
            + "    production: false\n"
            + "    backupFreshness: PT1H\n"
            + "    walFreshness: PT5M\n"
            + "secrets: file://secrets.json\n"
            + "repository: file://"
            + dir.resolve("backups")
            + "\nencryption: local-keyset:"
            + dir.resolve("keyset.json")
            + "\n");
  }
}
