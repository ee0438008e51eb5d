package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.shared.SecretRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code runbook rotate} through the CLI with {@code --embedded}, on a real SCRAM primary. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RotateEndToEndTest {
  private static final String PASSWORD = "rt-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir static Path dir;

  private static Cli cli;
  private static SecretStore store;

  @BeforeAll
  static void databaseAndConfiguration() throws Exception {
    pg.primary().execute("postgres", "CREATE DATABASE orders");
    pg.primary()
        .execute(
            "orders",
            "CREATE TABLE orders (id int)",
            "REVOKE ALL ON orders FROM PUBLIC",
            "CREATE ROLE orders_app NOLOGIN",
            "GRANT SELECT ON orders TO orders_app");
    store = SecretStores.open("file://" + dir.resolve("secrets.json"), dir);
    store.write(
        "db/orders/admin", Map.of("username", "postgres", "password", PASSWORD), OptionalInt.of(0));
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: orders }\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "    production: false\n"
                + "secrets: file://secrets.json\n");
    cli = new Cli(Cli.isolatedEnv()).with("RUNBOOKS_CONFIG", config.toString());
  }

  private static void assertNoSecret(Cli.Result result) {
    for (String secret : new String[] {PASSWORD, currentPassword()}) {
      assertFalse(result.out().contains(secret) || result.err().contains(secret), "secret shown");
    }
  }

  private static String currentPassword() {
    return store.read(SecretRef.latest("db/orders/roles/orders_app")).require("password");
  }

  @Test
  @Order(1)
  void theFirstRotationCreatesTheLoginsAndPublishesAWorkingCredential() throws Exception {
    Cli.Result first =
        cli.run(
            "rotate", "--target", "orders", "--role", "orders_app", "--grace", "1s", "--embedded");
    assertEquals(0, first.code(), first.toString());
    assertNoSecret(first);
    assertTrue(first.out().contains("Rotated role orders_app (alternating)"), first.out());
    assertTrue(
        first
            .out()
            .contains(
                "orders_app_a: new password tested and published as"
                    + " db/orders/roles/orders_app@1"),
        first.out());

    Properties login = new Properties();
    login.setProperty("user", "orders_app_a");
    login.setProperty("password", currentPassword());
    try (Connection c = DriverManager.getConnection(pg.primary().jdbcUrl("orders"), login);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      assertTrue(rs.next());
    }
  }

  @Test
  @Order(2)
  void theSecondRotationRenewsTheOtherLoginAndExpiresTheFirst() throws Exception {
    Cli.Result second =
        cli.run(
            "rotate",
            "--target",
            "orders",
            "--role",
            "orders_app",
            "--grace",
            "1s",
            "--embedded",
            "--output",
            "json");
    assertEquals(0, second.code(), second.toString());
    Schemas.assertValid("rotate", second);
    assertNoSecret(second);
    JsonNode rotation = JSON.readTree(second.out()).path("rotation");
    assertEquals("orders_app_b", rotation.path("renewedLogin").asText(), second.out());
    assertEquals(2, rotation.path("newVersion").asInt());
    assertEquals(1, rotation.path("previousVersion").asInt());
    assertEquals("orders_app_a", rotation.path("expiredLogin").asText());
  }

  @Test
  @Order(3)
  void aMissingRoleFailsWithWhatToDo() {
    Cli.Result missing = cli.run("rotate", "--target", "orders", "--role", "nosuch", "--embedded");
    assertEquals(ExitCodes.RUNBOOK_FAILED, missing.code(), missing.toString());
    assertTrue(missing.toString().contains("role \"nosuch\" does not exist"), missing.toString());
  }

  @Test
  @Order(4)
  void aBadRoleNameOrStrategyIsAUsageError() {
    Cli.Result badRole = cli.run("rotate", "--target", "orders", "--role", "Bad-Role");
    assertEquals(2, badRole.code(), badRole.toString());
    assertTrue(badRole.err().contains("--role Bad-Role"), badRole.toString());
    Cli.Result badStrategy =
        cli.run("rotate", "--target", "orders", "--role", "orders_app", "--strategy", "twice");
    assertEquals(2, badStrategy.code(), badStrategy.toString());
  }
}
