package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.secrets.SecretStore;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfiguredConnectionsTest {
  private static final String PASSWORD = "s3cr3t-never-shown-9921";

  @TempDir Path dir;

  private SecretStore secrets;
  private int closedPort;

  @BeforeEach
  void setUp() throws IOException {
    secrets = new FileSecretStore(dir.resolve("secrets.json"));
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = socket.getLocalPort();
    }
  }

  private ConfiguredConnections connections() throws IOException {
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + closedPort
            + ", database: orders, sslmode: disable }\n"
            + "    replicas: [ { name: db2, host: db2.internal, port: 5433 }, { name: db3, host: db3 } ]\n"
            + "    admin: { secret: db/orders/admin }\n"
            + "  billing:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + closedPort
            + ", database: billing }\n"
            + "    admin: { secret: db/billing/admin }\n"
            + "  trust:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + closedPort
            + ", database: t }\n"
            + "    admin: { user: postgres }\n");
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    return new ConfiguredConnections(config, secrets);
  }

  private static void assertFailure(ApplicationFailure failure, String type, String... parts) {
    assertEquals(type, failure.getType());
    assertTrue(failure.isNonRetryable(), "non-retryable");
    for (String part : parts) {
      assertTrue(
          failure.getOriginalMessage().contains(part),
          () -> "expected \"" + part + "\" in: " + failure.getOriginalMessage());
    }
    assertFalse(failure.getOriginalMessage().contains(PASSWORD));
  }

  @Test
  void buildsTheJdbcUrlFromTheEndpoint() {
    assertEquals(
        "jdbc:postgresql://db1:5432/orders?sslmode=verify-full&connectTimeout=5"
            + "&ApplicationName=runbooks",
        ConfiguredConnections.jdbcUrl(new Endpoint("db1", 5432, "orders", "verify-full")));
  }

  @Test
  void bracketsIpv6HostsAndEncodesDatabaseNames() {
    assertEquals(
        "jdbc:postgresql://[::1]:6543/my+db%2Fx%3F?sslmode=prefer&connectTimeout=5"
            + "&ApplicationName=runbooks",
        ConfiguredConnections.jdbcUrl(new Endpoint("::1", 6543, "my db/x?", "prefer")));
  }

  @Test
  void describesTargetsAndListsReplicasInOrder() throws IOException {
    ConfiguredConnections connections = connections();
    assertEquals("127.0.0.1:" + closedPort + "/orders", connections.describe("orders"));
    assertEquals(List.of("db2", "db3"), connections.replicaNames("orders"));
    assertEquals(List.of(), connections.replicaNames("billing"));
  }

  @Test
  void refusesAnUnknownTargetAsBadInput() throws IOException {
    ConfiguredConnections connections = connections();
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> connections.primary("nope"));
    assertFailure(
        failure, "BAD_INPUT", "unknown target \"nope\"", "orders, billing, trust", "Fix:");
    assertThrows(ApplicationFailure.class, () -> connections.describe("nope"));
  }

  @Test
  void refusesAnUnknownReplicaNamingTheKnownOnes() throws IOException {
    ConfiguredConnections connections = connections();
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> connections.replica("orders", "db9"));
    assertFailure(failure, "BAD_INPUT", "no replica \"db9\"", "db2, db3", "Fix:");
  }

  @Test
  void reportsAMissingAdminSecretAsBadInput() throws IOException {
    ConfiguredConnections connections = connections();
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    assertFailure(failure, "BAD_INPUT", "target \"orders\"", "db/orders/admin");
  }

  @Test
  void reportsAnIncompleteAdminSecretWithoutItsValues() throws IOException {
    secrets.write("db/orders/admin", Map.of("username", PASSWORD), OptionalInt.empty());
    ConfiguredConnections connections = connections();
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    assertFailure(failure, "BAD_INPUT", "db/orders/admin", "has no password", "[username]", "Fix:");
  }

  @Test
  void leavesARefusedConnectionRetryableWithTheAddress() throws IOException {
    secrets.write(
        "db/orders/admin", Map.of("username", "admin", "password", PASSWORD), OptionalInt.empty());
    ConfiguredConnections connections = connections();

    SQLException e = assertThrows(SQLException.class, () -> connections.primary("orders"));
    assertTrue(
        e.getMessage().contains("target \"orders\" primary at 127.0.0.1:" + closedPort),
        e.getMessage());
    assertTrue(e.getMessage().contains("refused"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD));

    SQLException trust = assertThrows(SQLException.class, () -> connections.primary("trust"));
    assertTrue(trust.getMessage().contains("127.0.0.1:" + closedPort), trust.getMessage());
  }

  @Test
  void givesPgDumpTheEndpointAndTheStoredLoginWithoutShowingThePassword() throws IOException {
    secrets.write(
        "db/orders/admin", Map.of("username", "admin", "password", PASSWORD), OptionalInt.empty());
    ConfiguredConnections connections = connections();

    ConnectionSpec spec = connections.connectionSpec("orders");
    assertEquals(
        new ConnectionSpec("127.0.0.1", closedPort, "orders", "admin", PASSWORD, "disable"), spec);
    assertFalse(spec.toString().contains(PASSWORD), spec.toString());
    assertEquals("restored", spec.withDatabase("restored").database());
    assertEquals(PASSWORD, spec.withDatabase("restored").password());

    ConnectionSpec trust = connections.connectionSpec("trust");
    assertEquals(
        new ConnectionSpec("127.0.0.1", closedPort, "t", "postgres", null, "prefer"), trust);

    ApplicationFailure unknown =
        assertThrows(ApplicationFailure.class, () -> connections.connectionSpec("nope"));
    assertFailure(unknown, "BAD_INPUT", "unknown target \"nope\"");
    ApplicationFailure missing =
        assertThrows(ApplicationFailure.class, () -> connections.connectionSpec("billing"));
    assertFailure(missing, "BAD_INPUT", "db/billing/admin");
  }

  @Test
  void connectsToAnotherDatabaseOnThePrimaryTheSameWay() throws IOException {
    secrets.write(
        "db/orders/admin", Map.of("username", "admin", "password", PASSWORD), OptionalInt.empty());
    ConfiguredConnections connections = connections();

    SQLException e =
        assertThrows(SQLException.class, () -> connections.primary("orders", "orders_restored"));
    assertTrue(
        e.getMessage().contains("127.0.0.1:" + closedPort + " (database orders_restored)"),
        e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD));
  }

  private static ConnectionFailures.Where where() {
    return new ConnectionFailures.Where(
        "orders",
        "primary",
        new Endpoint("db1", 5432, "orders", "verify-full"),
        "admin",
        "check the secret db/orders/admin (keys username and password).");
  }

  @Test
  void turnsARejectedPasswordIntoANonRetryableAuthenticationFailure() {
    for (String state : List.of("28P01", "28000")) {
      SQLException rejected =
          new SQLException("FATAL: password authentication failed for user \"admin\"", state);
      ApplicationFailure failure =
          assertThrows(
              ApplicationFailure.class,
              () -> ConnectionFailures.explain(rejected, where(), PASSWORD));
      assertFailure(
          failure,
          "AUTHENTICATION",
          "target \"orders\" primary at db1:5432",
          "role \"admin\"",
          "SQLSTATE " + state,
          "Fix: check the secret db/orders/admin");
    }
  }

  @Test
  void scrubsThePasswordShouldAServerMessageEverQuoteIt() {
    SQLException rejected = new SQLException("FATAL: bad password " + PASSWORD, "28P01");
    ApplicationFailure failure =
        assertThrows(
            ApplicationFailure.class,
            () -> ConnectionFailures.explain(rejected, where(), PASSWORD));
    assertFalse(failure.getOriginalMessage().contains(PASSWORD), failure.getOriginalMessage());

    SQLException other = new SQLException("odd: " + PASSWORD, "08001");
    assertFalse(
        ConnectionFailures.explain(other, where(), PASSWORD).getMessage().contains(PASSWORD));
  }

  @Test
  void keepsOtherFailuresAsRetryableSqlExceptions() {
    SQLException refused = new SQLException("Connection to db1:5432 refused.", "08001");
    SQLException explained = ConnectionFailures.explain(refused, where(), PASSWORD);
    assertEquals("08001", explained.getSQLState());
    assertSame(refused, explained.getCause());
    assertTrue(explained.getMessage().contains("target \"orders\" primary at db1:5432"));
  }
}
