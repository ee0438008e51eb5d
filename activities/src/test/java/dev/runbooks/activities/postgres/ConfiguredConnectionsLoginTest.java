package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.PostgresExtension;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Real scram-sha-256 logins through the configuration and the secret store. */
class ConfiguredConnectionsLoginTest {
  private static final String SUPERUSER_PASSWORD = "primary-superuser-Pw-4417";
  private static final String WRONG_PASSWORD = "not-the-password-Pw-9981";

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withScram(SUPERUSER_PASSWORD);

  @TempDir Path dir;

  private ConfiguredConnections connections(String password) throws Exception {
    FileSecretStore secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "db/orders/admin",
        Map.of("username", "postgres", "password", password),
        OptionalInt.empty());
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + pg.primary().port()
            + ", database: postgres, sslmode: disable }\n"
            + "    replicas: [ { name: r0, host: 127.0.0.1, port: "
            + pg.replica(0).port()
            + " } ]\n"
            + "    admin: { secret: db/orders/admin }\n");
    return new ConfiguredConnections(ConfigLoader.load(file, Map.of()), secrets);
  }

  @Test
  void logsInToPrimaryAndReplicaWithTheStoredPassword() throws Exception {
    ConfiguredConnections connections = connections(SUPERUSER_PASSWORD);
    try (Connection primary = connections.primary("orders");
        ResultSet rs = primary.createStatement().executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      assertFalse(rs.getBoolean(1));
    }
    try (Connection replica = connections.replica("orders", "r0");
        ResultSet rs = replica.createStatement().executeQuery("select pg_is_in_recovery()")) {
      rs.next();
      assertTrue(rs.getBoolean(1));
    }
  }

  @Test
  void reachesAnotherDatabaseOfThePrimaryWithTheStoredPassword() throws Exception {
    pg.primary().execute("postgres", "CREATE DATABASE other_db");
    ConfiguredConnections connections = connections(SUPERUSER_PASSWORD);
    try (Connection other = connections.primary("orders", "other_db");
        ResultSet rs = other.createStatement().executeQuery("select current_database()")) {
      rs.next();
      assertEquals("other_db", rs.getString(1));
    }
    assertEquals(SUPERUSER_PASSWORD, connections.connectionSpec("orders").password());
  }

  @Test
  void wrongPasswordIsAPermanentAuthenticationFailureWithoutThePassword() throws Exception {
    ConfiguredConnections connections = connections(WRONG_PASSWORD);
    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    assertEquals("AUTHENTICATION", failure.getType());
    assertTrue(failure.isNonRetryable());
    String message = failure.getOriginalMessage();
    assertTrue(message.contains("db/orders/admin"), message);
    assertTrue(message.contains("127.0.0.1:" + pg.primary().port()), message);
    assertFalse(message.contains(WRONG_PASSWORD), message);
    assertFalse(message.contains(SUPERUSER_PASSWORD), message);
  }
}
