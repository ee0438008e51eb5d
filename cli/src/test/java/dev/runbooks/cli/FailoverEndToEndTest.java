package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.testing.PostgresExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook failover} with {@code --embedded} on a real primary and two replicas: the usage
 * errors first, then one switchover, which uses up the clusters.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FailoverEndToEndTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withReplicas(2);

  @TempDir static Path dir;
  private static Cli cli;

  @BeforeAll
  static void configuration() throws Exception {
    pg.primary().execute("postgres", "CREATE TABLE t (n int)", "INSERT INTO t VALUES (1)");
    Path config =
        Files.writeString(
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
                + "      - { name: replica1, host: 127.0.0.1, port: "
                + pg.replica(1).port()
                + " }\n"
                + "    admin: { user: postgres }\n"
                + "    production: false\n"
                + "secrets: file://secrets.json\n");
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  @Test
  @Order(1)
  void plannedAndForceTogetherIsAUsageError() {
    Cli.Result r = cli.run("failover", "--target", "orders", "--planned", "--force", "--embedded");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("--planned and --force"), r.toString());
  }

  @Test
  @Order(2)
  void anUnknownReplicaIsAUsageError() {
    Cli.Result r = cli.run("failover", "--target", "orders", "--to", "db9", "--embedded");
    assertEquals(ExitCodes.USAGE, r.code(), r.toString());
    assertTrue(r.err().contains("replica0, replica1"), r.toString());
  }

  @Test
  @Order(3)
  void forceWhileThePrimaryAnswersIsRefusedWithNothingChanged() {
    Cli.Result r = cli.run("failover", "--target", "orders", "--force", "--embedded");
    assertEquals(ExitCodes.RUNBOOK_FAILED, r.code(), r.toString());
    assertTrue((r.out() + r.err()).contains("Nothing was changed"), r.toString());
  }

  @Test
  @Order(4)
  void plannedSwitchoverPromotesTheNamedReplicaAndSaysWhatHolds() throws Exception {
    Cli.Result r =
        cli.run(
            "failover",
            "--target",
            "orders",
            "--to",
            "replica1",
            "--planned",
            "--embedded",
            "--output",
            "json");
    assertEquals(ExitCodes.DONE, r.code(), r.toString());
    Schemas.assertValid("failover", r);
    JsonNode failover = JSON.readTree(r.out()).get("failover");
    assertEquals("replica1", failover.get("newPrimary").asText(), r.out());
    assertEquals(0, failover.get("bytesLost").asLong());
    assertEquals("replica0", failover.get("repointed").get(0).asText());
    assertFalse(failover.get("manualSteps").isEmpty());
    // The servers as read back at the end: the old primary fenced, replica0 following replica1.
    JsonNode servers = failover.get("servers");
    assertEquals(3, servers.size(), r.out());
    assertEquals("primary", servers.get(0).get("name").asText(), r.out());
    assertTrue(servers.get(0).get("fence").asText().startsWith("fenced by failover-"), r.out());
    assertFalse(servers.get(0).get("inRecovery").asBoolean(), r.out());
    assertEquals("replica1", servers.get(1).get("following").asText(), r.out());
    assertFalse(servers.get(2).get("inRecovery").asBoolean(), r.out());
    assertTrue(failover.get("oldPrimaryState").asText().contains("fenced by"), r.out());
    try (Connection c = pg.replica(1).connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery(), (SELECT n FROM t)")) {
      rs.next();
      assertFalse(rs.getBoolean(1), "replica1 is still in recovery");
      assertEquals(1, rs.getInt(2));
    }
  }
}
