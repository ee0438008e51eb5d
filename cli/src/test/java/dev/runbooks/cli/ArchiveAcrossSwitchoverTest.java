package dev.runbooks.cli;

import static dev.runbooks.activities.pitr.WalTestSupport.awaitArchived;
import static dev.runbooks.activities.pitr.WalTestSupport.currentLsn;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.activities.pitr.WalInventory;
import dev.runbooks.activities.pitr.WalTestSupport;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 14's fault "a switchover while the archiver runs": a planned switchover by the failover
 * runbook leaves the old primary running, fenced; the archiver follows the primary the topology
 * names now, archives the new timeline, and a point-in-time restore to a restore point made after
 * the switchover holds the rows written before and after it and none written past the point.
 */
class ArchiveAcrossSwitchoverTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Its own name, so its archiver's spool under the worker's data directory is its own. */
  private static final String TARGET = "switched";

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(1);

  @TempDir Path dir;

  @Test
  void theArchiveFollowsTheNewPrimaryAndARestoreAfterTheSwitchoverHoldsItsRows() throws Exception {
    LocalCluster old = pg.primary();
    LocalCluster standby = pg.replica(0);
    old.execute("postgres", "CREATE TABLE marks (note text)");
    Path backups = dir.resolve("backups");
    Path keyset = dir.resolve("backup-keyset.json");
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  "
                + TARGET
                + ":\n    primary: { host: 127.0.0.1, port: "
                + old.port()
                + ", database: postgres, sslmode: disable }\n"
                + "    replicas: [ { name: standby, host: 127.0.0.1, port: "
                + standby.port()
                + " } ]\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "repository: file://"
                + backups
                + "\nencryption: local-keyset:"
                + keyset
                + "\n");
    // The restored cluster's server runs as the postgres user, which must reach into it.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    Path restored = dir.resolve("restored");
    try (EmbeddedRunbooks local =
        EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks")) {
      Cli cli =
          new Cli(Cli.isolatedEnv())
              .with("TEMPORAL_ADDRESS", local.temporal().address())
              .with("RUNBOOKS_CONFIG", config.toString());
      WalArchive archive =
          new WalArchive(
              new FileRepository(backups), LocalKeysetKek.open(keyset), TARGET, Clock.systemUTC());
      Cli.Result start = cli.run("archive", "start", "--target", TARGET);
      assertEquals(0, start.code(), start.toString());
      try {
        awaitArchived(archive, currentLsn(old), Duration.ofSeconds(120));
        Cli.Result base = cli.run("backup", "--target", TARGET, "--type", "physical", "--wait");
        assertEquals(0, base.code(), base.toString());
        old.execute("postgres", "INSERT INTO marks VALUES ('before-switchover')");

        Cli.Result switchover =
            cli.run("failover", "--target", TARGET, "--planned", "--wait", "--output", "json");
        assertEquals(0, switchover.code(), switchover.toString());
        JsonNode switched = JSON.readTree(switchover.out()).path("failover");
        assertEquals("standby", switched.path("newPrimary").asText(), switchover.out());
        System.out.println("old primary after the switchover: " + switched.path("oldPrimaryState"));

        standby.execute(
            "postgres",
            "INSERT INTO marks VALUES ('after-switchover')",
            "SELECT pg_create_restore_point('after_switchover')",
            "INSERT INTO marks VALUES ('past-the-point')");
        // Within seconds, not at the end of the session that streamed from the old primary.
        awaitArchived(archive, currentLsn(standby), Duration.ofSeconds(90));
        WalInventory inventory = archive.inventory();
        assertTrue(inventory.switchPoints().containsKey(2), inventory.describe());

        Cli.Result restore =
            cli.run(
                "restore",
                "--target",
                TARGET,
                "--type",
                "physical",
                "--to-restore-point",
                "after_switchover",
                "--into-cluster",
                restored.toString(),
                "--wait",
                "--output",
                "json");
        assertEquals(0, restore.code(), restore.toString());
        JsonNode outcome = JSON.readTree(restore.out()).path("restore");
        assertTrue(outcome.path("reached").path("timeline").asInt() > 2, restore.out());
        assertEquals(
            List.of("after-switchover", "before-switchover"),
            notes(outcome.path("port").asInt()),
            "the rows of both timelines up to the restore point, none past it");
      } finally {
        if (Files.exists(restored.resolve("PG_VERSION"))) {
          WalTestSupport.discardRestored(restored, old.binaries());
        }
        cli.run("archive", "stop", "--target", TARGET);
      }
    }
  }

  private static List<String> notes(int port) throws Exception {
    List<String> notes = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT note FROM marks ORDER BY note")) {
      while (rs.next()) {
        notes.add(rs.getString(1));
      }
    }
    return notes;
  }
}
