package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.Runbooks;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker process running the dump is killed (SIGKILL) while pg_dump is under way; a new worker
 * picks the dump up once its heartbeat times out, the retried dump starts over cleanly (the killed
 * attempt's partial file is removed), and the run completes, drill included, with nothing orphaned
 * in the repository.
 */
class WorkerKilledMidDumpTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;

  @Test
  void runCompletesOnANewWorkerAndLeavesNothingOrphaned() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE orders");
    primary.execute(
        "orders",
        "CREATE TABLE items (id bigint PRIMARY KEY, note text)",
        "INSERT INTO items SELECT g, md5(g::text) FROM generate_series(1, 20000) g");
    Path backups = dir.resolve("backups");
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: orders }\n    admin: { user: postgres }\n"
                + "repository: file://"
                + backups
                + "\nencryption: local-keyset:"
                + dir.resolve("backup-keyset.json")
                + "\n");

    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect();
        Connection locker = primary.connect("orders")) {
      WorkflowClient client = connection.client();
      // The workflows run here, the activities in the child: the process killed is the one
      // running pg_dump (see ChildWorker for why the workflows stay in this JVM).
      RunbookWorker workflows =
          RunbookWorker.start(
              client,
              RunbookWorker.DEFAULT_TASK_QUEUE,
              Runbooks.WORKFLOW_IMPLEMENTATIONS,
              List.of());
      Process child = startChildWorker(temporal.address(), config);
      try {
        // pg_dump waits for this lock: the dump is under way, on the child worker, when it dies.
        locker.setAutoCommit(false);
        try (Statement s = locker.createStatement()) {
          s.execute("LOCK TABLE items IN ACCESS EXCLUSIVE MODE");
        }
        BackupWorkflow run =
            client.newWorkflowStub(
                BackupWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId("backup-orders-killed")
                    .setTaskQueue(RunbookWorker.DEFAULT_TASK_QUEUE)
                    .build());
        WorkflowClient.start(
            run::run,
            new BackupRequest(
                new RunbookRequest("orders", "tester", false, Duration.ofHours(1)), true, null));
        awaitPgDumpWaitingOnTheLock(primary);
        assertEquals(StepState.RUNNING, dumpState(run));
      } finally {
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
      locker.rollback();
      try (Stream<Path> all = Files.walk(backups)) {
        assertTrue(
            all.anyMatch(p -> p.getFileName().toString().endsWith(".incomplete")),
            "the killed attempt left its partial dump behind, for the retry to clean up");
      }

      RunbookWorker replacement =
          RunbookWorker.start(
              client,
              RunbookWorker.DEFAULT_TASK_QUEUE,
              List.of(),
              Activities.build(
                      ConfigLoader.load(config, System.getenv()),
                      client,
                      RunbookWorker.DEFAULT_TASK_QUEUE)
                  .implementations());
      try {
        BackupResult result =
            WorkflowStub.fromTyped(
                    client.newWorkflowStub(BackupWorkflow.class, "backup-orders-killed"))
                .getResult(3, TimeUnit.MINUTES, BackupResult.class);
        assertTrue(result.drill().passed());
        assertEquals(20000, result.backup().rows());
        assertEquals(2, dumpAttempts(client), "the dump ran again on the new worker");

        Path backupDir = backups.resolve("orders").resolve(result.backup().backupId());
        try (Stream<Path> all = Files.walk(backups)) {
          List<Path> files = all.filter(Files::isRegularFile).toList();
          assertEquals(
              Set.of(
                  backupDir.resolve("dump.enc"),
                  backupDir.resolve("manifest.json"),
                  backupDir.resolve("verdict.json")),
              Set.copyOf(files),
              "only the complete backup remains: " + files);
        }
      } finally {
        replacement.close();
        workflows.close();
      }
    }
  }

  private static Process startChildWorker(String address, Path config) throws Exception {
    Process child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ChildWorker.class.getName(),
                address,
                config.toString())
            .redirectErrorStream(true)
            .start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
    Instant deadline = Instant.now().plusSeconds(60);
    for (String line = out.readLine(); line != null; line = out.readLine()) {
      if (line.equals("READY")) {
        Thread drain =
            new Thread(
                () -> {
                  try {
                    out.transferTo(java.io.Writer.nullWriter());
                  } catch (java.io.IOException ignored) {
                    // The child is gone.
                  }
                });
        drain.setDaemon(true);
        drain.start();
        return child;
      }
      assertTrue(Instant.now().isBefore(deadline), "child worker never became ready");
    }
    throw new AssertionError("child worker exited before it was ready: " + child.waitFor());
  }

  private static void awaitPgDumpWaitingOnTheLock(LocalCluster primary) throws Exception {
    Instant deadline = Instant.now().plusSeconds(60);
    while (Instant.now().isBefore(deadline)) {
      try (Connection c = primary.connect("postgres");
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'runbooks pg_dump'"
                      + " AND wait_event_type = 'Lock'")) {
        rs.next();
        if (rs.getInt(1) > 0) {
          return;
        }
      }
      Thread.sleep(100);
    }
    throw new AssertionError("the dump never started waiting on the held lock");
  }

  private static StepState dumpState(BackupWorkflow run) {
    return run.progress().steps().stream()
        .filter(s -> s.name().equals("dump"))
        .findFirst()
        .orElseThrow()
        .state();
  }

  private static long dumpAttempts(WorkflowClient client) {
    List<HistoryEvent> events = client.fetchHistory("backup-orders-killed").getEvents();
    long scheduledDump =
        events.stream()
            .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
            .filter(
                e ->
                    e.getActivityTaskScheduledEventAttributes()
                        .getActivityType()
                        .getName()
                        .equals("DumpDatabase"))
            .map(HistoryEvent::getEventId)
            .findFirst()
            .orElseThrow();
    return events.stream()
        .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED)
        .filter(
            e -> e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduledDump)
        .mapToLong(e -> e.getActivityTaskStartedEventAttributes().getAttempt())
        .max()
        .orElse(0);
  }
}
