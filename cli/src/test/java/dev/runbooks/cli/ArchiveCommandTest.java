package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook archive start|status|stop} and the archive's part of {@code runbook backups},
 * through the CLI against a port-bound Temporal with a real worker and a real primary.
 */
class ArchiveCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();

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
        JsonNode none = json(cli, 1, "archive status", address);
        assertTrue(none.path("archiver").isNull(), none.toString());
        assertEquals("orders", none.path("archive").path("target").asText(), none.toString());

        Cli.Result start = cli.run("archive", "start", "--target", "orders", "--temporal", address);
        assertEquals(0, start.code(), start.toString());
        assertTrue(start.out().contains("started the WAL archiver of orders"), start.toString());
        Cli.Result again = cli.run("archive", "start", "--target", "orders", "--temporal", address);
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().contains("runs already"), again.toString());
        JsonNode startedAgain = json(cli, 0, "archive start", address);
        assertEquals("orders", startedAgain.path("target").asText(), startedAgain.toString());
        assertFalse(startedAgain.path("started").asBoolean(true), startedAgain.toString());

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
        JsonNode streaming = json(cli, 0, "archive status", address);
        assertEquals(
            "STREAMING", streaming.path("archiver").path("state").asText(), streaming.toString());
        assertTrue(streaming.path("archive").path("archived").asBoolean(), streaming.toString());

        Cli.Result listing = cli.run("backups", "--target", "orders", "--temporal", address);
        assertEquals(0, listing.code(), listing.toString());
        assertTrue(listing.out().contains("WAL archive: "), listing.toString());

        Cli.Result stop = cli.run("archive", "stop", "--target", "orders", "--temporal", address);
        assertEquals(0, stop.code(), stop.toString());
        assertTrue(stop.out().contains("stopped the WAL archiver of orders"), stop.toString());
        JsonNode stoppedAgain = json(cli, 0, "archive stop", address);
        assertEquals("orders", stoppedAgain.path("target").asText(), stoppedAgain.toString());
        assertFalse(stoppedAgain.path("stopped").asBoolean(true), stoppedAgain.toString());

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

  /**
   * Runs {@code command --target orders -o json}, expects {@code code} and stdout valid against the
   * command's published schema, and returns the document.
   */
  private static JsonNode json(Cli cli, int code, String command, String address) throws Exception {
    List<String> args = new ArrayList<>(List.of(command.split(" ")));
    args.addAll(List.of("--target", "orders", "--temporal", address, "-o", "json"));
    Cli.Result result = cli.run(args.toArray(String[]::new));
    assertEquals(code, result.code(), result.toString());
    Schemas.assertValid(command, result);
    return JSON.readTree(result.out());
  }
}
