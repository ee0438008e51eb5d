package dev.runbooks.activities.check;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Properties;

/**
 * A {@link TargetConnections} for one target over servers given by host and port, as the real one
 * behaves: a refused login becomes a non-retryable AUTHENTICATION failure. Immutable; the {@code
 * with...} methods return changed copies.
 */
final class FixtureConnections implements TargetConnections {
  static final String TARGET = "orders";

  /** A server: a replica's name, or "primary". */
  record Endpoint(String name, String host, int port) {
    Endpoint {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(host, "host");
    }
  }

  private final Endpoint primary;
  private final List<Endpoint> replicas;
  private final String database;
  private final String user;
  private final boolean rawLoginErrors;

  private FixtureConnections(
      Endpoint primary,
      List<Endpoint> replicas,
      String database,
      String user,
      boolean rawLoginErrors) {
    this.primary = primary;
    this.replicas = List.copyOf(replicas);
    this.database = database;
    this.user = user;
    this.rawLoginErrors = rawLoginErrors;
  }

  static FixtureConnections of(Endpoint primary, Endpoint... replicas) {
    return new FixtureConnections(primary, List.of(replicas), "postgres", "postgres", false);
  }

  FixtureConnections withDatabase(String database) {
    return new FixtureConnections(primary, replicas, database, user, rawLoginErrors);
  }

  /** Logs in as this role (the clusters trust every local login, so no password). */
  FixtureConnections withUser(String user) {
    return new FixtureConnections(primary, replicas, database, user, rawLoginErrors);
  }

  FixtureConnections withPrimary(Endpoint primary) {
    return new FixtureConnections(primary, replicas, database, user, rawLoginErrors);
  }

  FixtureConnections withReplicas(Endpoint... replicas) {
    return new FixtureConnections(primary, List.of(replicas), database, user, rawLoginErrors);
  }

  FixtureConnections plusReplica(Endpoint replica) {
    List<Endpoint> all = new ArrayList<>(replicas);
    all.add(replica);
    return new FixtureConnections(primary, all, database, user, rawLoginErrors);
  }

  /** Passes a refused login on as the driver's SQLException, as a careless implementation would. */
  FixtureConnections withRawLoginErrors() {
    return new FixtureConnections(primary, replicas, database, user, true);
  }

  /** A port on 127.0.0.1 that nothing listens on (it was free a moment ago). */
  static int closedPort() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public Connection primary(String target) throws SQLException {
    requireTarget(target);
    return connect(primary);
  }

  @Override
  public Connection primary(String target, String otherDatabase) throws SQLException {
    requireTarget(target);
    return connect(primary, otherDatabase);
  }

  @Override
  public ConnectionSpec connectionSpec(String target) {
    requireTarget(target);
    return new ConnectionSpec(primary.host(), primary.port(), database, user, null, "disable");
  }

  @Override
  public List<String> replicaNames(String target) {
    requireTarget(target);
    return replicas.stream().map(Endpoint::name).toList();
  }

  @Override
  public Connection replica(String target, String replica) throws SQLException {
    requireTarget(target);
    for (Endpoint e : replicas) {
      if (e.name().equals(replica)) {
        return connect(e);
      }
    }
    throw new IllegalArgumentException("no replica named " + replica + " in target " + target);
  }

  @Override
  public String describe(String target) {
    requireTarget(target);
    return primary.host() + ":" + primary.port() + "/" + database;
  }

  private Connection connect(Endpoint endpoint) throws SQLException {
    return connect(endpoint, database);
  }

  private Connection connect(Endpoint endpoint, String db) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", user);
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "runbooks-check-test");
    String url = "jdbc:postgresql://" + endpoint.host() + ":" + endpoint.port() + "/" + db;
    try {
      return DriverManager.getConnection(url, properties);
    } catch (SQLException e) {
      String state = e.getSQLState();
      if (!rawLoginErrors && state != null && state.startsWith("28")) {
        throw FailureType.AUTHENTICATION.failure(
            "Expected role "
                + user
                + " to log in to "
                + endpoint.name()
                + " at "
                + endpoint.host()
                + ":"
                + endpoint.port()
                + ", but the server refused it: "
                + e.getMessage());
      }
      throw e;
    }
  }

  private static void requireTarget(String target) {
    if (!TARGET.equals(target)) {
      throw new IllegalArgumentException("expected target " + TARGET + ", got " + target);
    }
  }
}
