package dev.runbooks.cli;

import static dev.runbooks.activities.pitr.WalTestSupport.awaitArchived;
import static dev.runbooks.activities.pitr.WalTestSupport.currentLsn;
import static dev.runbooks.activities.pitr.WalTestSupport.slotRestart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.activities.pitr.WalInventory;
import dev.runbooks.activities.pitr.WalSegment;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.Runbooks;
import io.temporal.client.WorkflowClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker process running the WAL archiver is killed (SIGKILL) while a segment is half written;
 * with PostgreSQL's default WAL retention and checkpoints while no worker runs, the slot keeps the
 * WAL, a new worker resumes where the archive ends, and the archive has no gap and no object that
 * fails verification.
 */
class WorkerKilledMidArchiveTest {
  @TempDir Path dir;

  @Test
  void aNewWorkerResumesTheArchiveWithoutAGap() throws Exception {
    Path backups = dir.resolve("backups");
    Path keyset = dir.resolve("backup-keyset.json");
    try (LocalCluster primary = LocalCluster.builder().name("archived").walDefaults().start();
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      primary.execute("postgres", "CREATE TABLE marks (note text)");
      Path config =
          Files.writeString(
              dir.resolve("runbooks.yaml"),
              "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: "
                  + primary.port()
                  + ", database: postgres }\n    admin: { user: postgres }\n"
                  + "repository: file://"
                  + backups
                  + "\nencryption: local-keyset:"
                  + keyset
                  + "\n");
      WorkflowClient client = connection.client();
      RunbookWorker workflows =
          RunbookWorker.start(
              client,
              RunbookWorker.DEFAULT_TASK_QUEUE,
              Runbooks.WORKFLOW_IMPLEMENTATIONS,
              List.of());
      Process child = startChildWorker(temporal.address(), config, dir.resolve("child-data"));
      WalArchive archive =
          new WalArchive(
              new FileRepository(backups),
              LocalKeysetKek.open(keyset),
              "orders",
              Clock.systemUTC());
      RunbookWorker replacement = null;
      try {
        assertTrue(ArchiveRuns.start(client, RunbookWorker.DEFAULT_TASK_QUEUE, "orders", "tester"));
        primary.execute("postgres", "INSERT INTO marks VALUES ('before the kill')");
        awaitArchived(archive, currentLsn(primary), Duration.ofSeconds(90));
        primary.execute("postgres", "SELECT pg_switch_wal()");
        // Half a segment: the receiver is writing its .partial when the worker dies.
        primary.execute(
            "postgres", "INSERT INTO marks SELECT 'half ' || g FROM generate_series(1, 40000) g");
        child.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        long archivedAtKill = archive.inventory().recoverableEnd().orElseThrow();

        for (int i = 0; i < 3; i++) {
          primary.execute(
              "postgres",
              "INSERT INTO marks VALUES ('while no worker runs " + i + "')",
              "SELECT pg_switch_wal()",
              "CHECKPOINT");
        }
        long written = currentLsn(primary);
        assertTrue(
            slotRestart(primary, "orders") <= archivedAtKill,
            "the slot keeps what the archive lacks: restart "
                + WalSegment.formatLsn(slotRestart(primary, "orders"))
                + ", archived "
                + WalSegment.formatLsn(archivedAtKill));

        replacement =
            RunbookWorker.start(
                client,
                RunbookWorker.DEFAULT_TASK_QUEUE,
                List.of(),
                Activities.build(
                        ConfigLoader.load(config, System.getenv()),
                        client,
                        RunbookWorker.DEFAULT_TASK_QUEUE)
                    .implementations());
        awaitArchived(archive, written, Duration.ofSeconds(180));
        assertTrue(ArchiveRuns.stop(client, "orders", "test over", Duration.ofMinutes(2)));
      } finally {
        child.destroyForcibly();
        if (replacement != null) {
          replacement.close();
        }
        workflows.close();
      }

      WalInventory inventory = archive.inventory();
      WalInventory.TimelineWal t1 = inventory.timeline(1).orElseThrow();
      assertEquals(List.of(), t1.gaps(), inventory.describe());
      long start = t1.startLsn();
      assertTrue(inventory.contiguousEnd(1, start).orElseThrow() >= currentLsn(primary) - 200);
      // Every stored segment decrypts and matches its digest: nothing half-written is visible.
      for (WalInventory.Run run : t1.runs()) {
        for (long segno = run.firstSegno(); segno <= run.lastSegno(); segno++) {
          String name = new WalSegment(1, segno).name();
          archive.fetch(name, dir.resolve("check").resolve(name));
        }
      }
    }
  }

  private static Process startChildWorker(String address, Path config, Path dataDir)
      throws Exception {
    ProcessBuilder builder =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                ChildWorker.class.getName(),
                address,
                config.toString())
            .redirectErrorStream(true);
    // Its own spool, as a worker on another host has.
    builder.environment().put("RUNBOOKS_DATA_DIR", dataDir.toString());
    Process child = builder.start();
    BufferedReader out =
        new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
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
    }
    throw new AssertionError("child worker exited before it was ready: " + child.waitFor());
  }
}
