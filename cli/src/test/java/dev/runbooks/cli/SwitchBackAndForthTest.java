package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance of issue 13, item 1: with runbooks.yaml never edited, a primary and its standby switch
 * places three times through the CLI against one worker, and after each switch a backup (with its
 * drill), a restore drill and a check all act on the new primary; each backup, restored, holds the
 * rows written just before it. Then two writable members stop a backup before it dumps anything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SwitchBackAndForthTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern BACKUP = Pattern.compile("Backup (\\S+) of orders");

  // wal_log_hints: --rejoin rewinds the old primary into a standby of the new one each time.
  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withSetting("wal_log_hints", "on");

  @RegisterExtension
  static final PostgresExtension other = PostgresExtension.newPrimary().withReplicas(1);

  @RegisterExtension
  static final PostgresExtension listed =
      PostgresExtension.newPrimary().withReplicas(1).withSetting("wal_log_hints", "on");

  @TempDir static Path dir;
  private static EmbeddedRunbooks local;
  private static Cli cli;

  @BeforeAll
  static void startWorker() throws Exception {
    pg.primary().execute("postgres", "CREATE DATABASE orders");
    pg.primary().execute("orders", "CREATE TABLE t (round int, n int)");
    // The other pair's standby is promoted: two members that both take writes.
    other.replica(0).execute("postgres", "SELECT pg_promote(true, 60)");
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: orders, sslmode: disable }\n"
                + "    replicas: [ { name: standby, host: 127.0.0.1, port: "
                + pg.replica(0).port()
                + " } ]\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "  split:\n"
                + "    members:\n"
                + "      - { name: east, host: 127.0.0.1, port: "
                + other.primary().port()
                + ", database: postgres, sslmode: disable }\n"
                + "      - { name: west, host: 127.0.0.1, port: "
                + other.replica(0).port()
                + " }\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "  shop:\n"
                + "    members:\n"
                + "      - { name: db1, host: 127.0.0.1, port: "
                + listed.primary().port()
                + ", database: postgres, sslmode: disable }\n"
                + "      - { name: db2, host: 127.0.0.1, port: "
                + listed.replica(0).port()
                + " }\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "secrets: file://secrets.json\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\nencryption: local-keyset:"
                + dir.resolve("keys/backup-keyset.json")
                + "\n");
    local = EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks");
    cli =
        new Cli(Cli.isolatedEnv())
            .with("TEMPORAL_ADDRESS", local.temporal().address())
            .with("RUNBOOKS_CONFIG", config.toString());
  }

  @AfterAll
  static void stopWorker() {
    if (local != null) {
      local.close();
    }
  }

  private static boolean inRecovery(LocalCluster server) throws SQLException {
    try (Connection c = server.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  private static long count(LocalCluster server, String database, int round) throws SQLException {
    try (Connection c = server.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM t WHERE round = " + round)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static Cli.Result run(String... args) {
    Cli.Result r = cli.run(args);
    assertFalse((r.out() + r.err()).contains("will be retried"), r.toString());
    return r;
  }

  /** The run's first step (its preflight) names the member it resolved as the primary. */
  private static void assertFirstStepNamesThePrimary(String id, String name, LocalCluster server)
      throws Exception {
    Cli.Result status = run("status", id, "--output", "json");
    JsonNode first = JSON.readTree(status.out()).path("steps").get(0);
    assertEquals("preflight", first.path("name").asText(), status.out());
    assertTrue(
        first
            .path("detail")
            .asText()
            .contains("primary " + name + " at 127.0.0.1:" + server.port()),
        status.out());
  }

  @Test
  @Order(1)
  void switchesBackAndForthThreeTimesAndEveryRunbookFollowsThePrimary() throws Exception {
    Map<String, LocalCluster> servers = Map.of("primary", pg.primary(), "standby", pg.replica(0));
    List<String> expected = List.of("standby", "primary", "standby");
    for (int round = 1; round <= 3; round++) {
      String to = expected.get(round - 1);
      String from = to.equals("standby") ? "primary" : "standby";
      LocalCluster now = servers.get(to);
      LocalCluster old = servers.get(from);

      Cli.Result failover =
          run(
              "failover",
              "--target",
              "orders",
              "--planned",
              "--rejoin",
              "--wait",
              "--output",
              "json",
              "--id",
              "switch-" + round);
      assertEquals(ExitCodes.DONE, failover.code(), failover.toString());
      JsonNode result = JSON.readTree(failover.out()).get("failover");
      assertEquals(from, result.get("oldPrimary").asText(), failover.out());
      assertEquals(to, result.get("newPrimary").asText(), failover.out());
      assertTrue(
          result.get("oldPrimaryState").asText().startsWith("running as a replica of " + to),
          failover.out());
      // Read back from each member by name, the old primary first: never twice the one that
      // happens to be the primary now.
      JsonNode read = result.get("servers");
      assertEquals(2, read.size(), failover.out());
      assertEquals(from, read.get(0).get("name").asText(), failover.out());
      assertEquals(to, read.get(0).get("following").asText(), failover.out());
      assertEquals(to, read.get(1).get("name").asText(), failover.out());
      assertFalse(read.get(1).get("inRecovery").asBoolean(), failover.out());
      assertFalse(inRecovery(now), to + " is still in recovery after round " + round);
      assertTrue(inRecovery(old), from + " was not rejoined as a standby in round " + round);

      // The newest rows, written on the new primary only.
      now.execute(
          "orders",
          "INSERT INTO t SELECT " + round + ", g FROM generate_series(1, " + 100 * round + ") g");

      Cli.Result backup = run("backup", "--target", "orders", "--wait", "--id", "backup-" + round);
      assertEquals(ExitCodes.DONE, backup.code(), backup.toString());
      assertTrue(backup.out().contains("drill       passed"), backup.toString());
      Matcher m = BACKUP.matcher(backup.out());
      assertTrue(m.find(), backup.toString());
      String backupId = m.group(1);
      Cli.Result status = run("status", "backup-" + round, "--output", "json");
      JsonNode preflight = JSON.readTree(status.out()).path("steps").get(0);
      assertTrue(
          preflight
              .path("detail")
              .asText()
              .contains("primary " + to + " at 127.0.0.1:" + now.port()),
          status.out());

      Cli.Result drill =
          run("restore-drill", "--target", "orders", "--wait", "--id", "drill-" + round);
      assertEquals(ExitCodes.DONE, drill.code(), drill.toString());
      assertFirstStepNamesThePrimary("drill-" + round, to, now);

      Cli.Result restore =
          run(
              "restore",
              "--target",
              "orders",
              "--backup",
              backupId,
              "--into",
              "round" + round,
              "--wait",
              "--id",
              "restore-" + round);
      assertEquals(ExitCodes.DONE, restore.code(), restore.toString());
      assertFirstStepNamesThePrimary("restore-" + round, to, now);
      assertEquals(100L * round, count(now, "round" + round, round), "backup " + backupId);

      Cli.Result check = run("check", "--target", "orders", "--wait", "--id", "check-" + round);
      assertEquals(ExitCodes.DONE, check.code(), check.toString());
      assertTrue(
          check.out().contains("primary " + to + " at 127.0.0.1:" + now.port()), check.toString());
      assertTrue(check.out().contains("replicas " + from + " (in recovery"), check.toString());
    }
  }

  @Test
  @Order(2)
  void twoWritableMembersStopABackupWithTheEvidence() {
    Cli.Result backup = run("backup", "--target", "split", "--wait", "--id", "backup-split");
    assertEquals(ExitCodes.RUNBOOK_FAILED, backup.code(), backup.toString());
    String all = backup.out() + backup.err();
    assertTrue(all.contains("split brain: 2 members take writes (east, west)"), backup.toString());
    assertTrue(
        all.contains("east at 127.0.0.1:" + other.primary().port() + ": writable, timeline 1"),
        all);
    assertTrue(
        all.contains("west at 127.0.0.1:" + other.replica(0).port() + ": writable, timeline 2"),
        all);
    assertTrue(all.contains("nothing was changed"), all);
    assertFalse(Files.exists(dir.resolve("backups/split")), "a backup of split was stored");

    // The drill restores on the primary and compares against it: it refuses too, by evidence.
    Cli.Result drill = run("restore-drill", "--target", "split", "--wait", "--id", "drill-split");
    assertEquals(ExitCodes.RUNBOOK_FAILED, drill.code(), drill.toString());
    String drillOut = drill.out() + drill.err();
    assertTrue(drillOut.contains("split brain: 2 members take writes (east, west)"), drillOut);
    assertTrue(drillOut.contains("nothing was changed"), drillOut);

    Cli.Result check = run("check", "--target", "split", "--wait", "--id", "check-split");
    assertEquals(ExitCodes.RUNBOOK_FAILED, check.code(), check.toString());
    assertTrue(check.out().contains("[CRITICAL] connectivity"), check.toString());
    assertTrue(check.out().contains("split brain"), check.toString());
  }

  @Test
  @Order(3)
  void membersNamedInTheConfigurationSwitchThereAndBack() throws Exception {
    Map<String, LocalCluster> servers = Map.of("db1", listed.primary(), "db2", listed.replica(0));
    for (String to : List.of("db2", "db1")) {
      String from = to.equals("db2") ? "db1" : "db2";
      Cli.Result failover =
          run(
              "failover",
              "--target",
              "shop",
              "--to",
              to,
              "--rejoin",
              "--wait",
              "--output",
              "json",
              "--id",
              "shop-to-" + to);
      assertEquals(ExitCodes.DONE, failover.code(), failover.toString());
      JsonNode result = JSON.readTree(failover.out()).get("failover");
      assertEquals(from, result.get("oldPrimary").asText(), failover.out());
      assertTrue(
          result.get("oldPrimaryState").asText().startsWith("running as a replica of " + to),
          failover.out());
      assertEquals(
          "127.0.0.1:" + servers.get(to).port() + "/postgres",
          result.path("endpoint").path("endpoint").asText(),
          failover.out());
      assertFalse(inRecovery(servers.get(to)));
      assertTrue(inRecovery(servers.get(from)));
      Cli.Result check = run("check", "--target", "shop", "--wait", "--id", "check-shop-" + to);
      assertEquals(ExitCodes.DONE, check.code(), check.toString());
      assertTrue(check.out().contains("primary " + to + " at 127.0.0.1:"), check.toString());
    }
  }
}
