package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.Activities;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.RunbookWorker;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.Runbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook archive start|status|stop} and the archive's part of {@code runbook backups},
 * through the CLI against a port-bound Temporal with a real worker and a real primary.
 */
class ArchiveCommandTest {
  @TempDir Path dir;

  @Test
  void startsReportsAndStopsTheArchiverAndBackupsHonoursWalFreshness() throws Exception {
    Path backups = dir.resolve("backups");
    Path keyset = dir.resolve("backup-keyset.json");
    try (LocalCluster primary = LocalCluster.builder().name("archived").start();
        EmbeddedTemporal temporal = EmbeddedTemporal.start(0);
        TemporalConnection connection = temporal.connect()) {
      String target =
          "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: "
              + primary.port()
              + ", database: postgres }\n    admin: { user: postgres }\n"
              + "repository: file://"
              + backups
              + "\nencryption: local-keyset:"
              + keyset
              + "\n";
      Path config = Files.writeString(dir.resolve("runbooks.yaml"), target);
      Path strict = Files.writeString(dir.resolve("strict.yaml"), target + "walFreshness: PT1S\n");
      Cli cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
      String address = temporal.address();
      WalArchive archive =
          new WalArchive(
              new FileRepository(backups),
              LocalKeysetKek.open(keyset),
              "orders",
              Clock.systemUTC());
      RunbookWorker worker =
          RunbookWorker.start(
              connection.client(),
              RunbookWorker.DEFAULT_TASK_QUEUE,
              Runbooks.WORKFLOW_IMPLEMENTATIONS,
              Activities.build(
                      ConfigLoader.load(config, System.getenv()),
                      connection.client(),
                      RunbookWorker.DEFAULT_TASK_QUEUE)
                  .implementations());
      try {
        Cli.Result missing = cli.run("archive", "start", "--temporal", address);
        assertEquals(2, missing.code(), missing.toString());
        Cli.Result unknown =
            cli.run("archive", "start", "--target", "nosuch", "--temporal", address);
        assertEquals(2, unknown.code(), unknown.toString());

        Cli.Result notRunning =
            cli.run("archive", "status", "--target", "orders", "--temporal", address);
        assertEquals(1, notRunning.code(), notRunning.toString());
        assertTrue(notRunning.out().contains("not running"), notRunning.toString());

        Cli.Result start = cli.run("archive", "start", "--target", "orders", "--temporal", address);
        assertEquals(0, start.code(), start.toString());
        assertTrue(start.out().contains("started the WAL archiver of orders"), start.toString());
        Cli.Result again = cli.run("archive", "start", "--target", "orders", "--temporal", address);
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("runs already"), again.toString());

        Instant deadline = Instant.now().plusSeconds(90);
        while (archive.inventory().isEmpty()) {
          assertTrue(Instant.now().isBefore(deadline), "the archive never got WAL");
          Thread.sleep(200);
        }
        Cli.Result status =
            cli.run("archive", "status", "--target", "orders", "--temporal", address);
        assertEquals(0, status.code(), status.toString());
        assertTrue(status.out().contains("archiver:   STREAMING"), status.toString());
        assertTrue(status.out().contains("window:"), status.toString());
        assertTrue(
            status.out().contains("slot:     runbooks_archive_orders: retains"), status.toString());

        Cli.Result listing = cli.run("backups", "--target", "orders", "--temporal", address);
        assertEquals(0, listing.code(), listing.toString());
        assertTrue(listing.out().contains("WAL archive: "), listing.toString());

        Cli.Result stop = cli.run("archive", "stop", "--target", "orders", "--temporal", address);
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(stop.out().contains("stopped the WAL archiver of orders"), stop.toString());

        primary.execute("postgres", "CREATE TABLE after_the_stop (x int)");
        Thread.sleep(2_000);
        Cli.Result stale =
            cli.run(
                "backups",
                "--target",
                "orders",
                "--temporal",
                address,
                "--config",
                strict.toString());
        assertEquals(1, stale.code(), stale.toString());
        assertTrue(stale.err().contains("over walFreshness 1.0s"), stale.toString());
        assertTrue(stale.out().contains("archiver:   not running"), stale.toString());
      } finally {
        worker.close();
      }
    }
  }
}
