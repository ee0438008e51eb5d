package dev.runbooks.activities.backup;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.testing.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * Targets that are databases of one throwaway cluster, reached as its superuser: target name to
 * database name. Like the real connections, a refused connection stays an SQLException with its
 * SQLSTATE (3D000 for a database that does not exist).
 */
public final class ClusterConnections implements TargetConnections {
  private final LocalCluster cluster;
  private final Map<String, String> databases;

  public ClusterConnections(LocalCluster cluster, Map<String, String> databases) {
    this.cluster = cluster;
    this.databases = Map.copyOf(databases);
  }

  @Override
  public Connection primary(String target) throws SQLException {
    return primary(target, database(target));
  }

  @Override
  public Connection primary(String target, String database) throws SQLException {
    database(target);
    Properties properties = new Properties();
    properties.setProperty("user", cluster.superuser());
    cluster.superuserPassword().ifPresent(p -> properties.setProperty("password", p));
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "runbooks-backup-test");
    return DriverManager.getConnection(cluster.jdbcUrl(database), properties);
  }

  @Override
  public ConnectionSpec connectionSpec(String target) {
    return new ConnectionSpec(
        cluster.host(),
        cluster.port(),
        database(target),
        cluster.superuser(),
        cluster.superuserPassword().orElse(null),
        "disable");
  }

  @Override
  public List<String> replicaNames(String target) {
    database(target);
    return List.of();
  }

  @Override
  public Connection replica(String target, String replica) {
    throw new IllegalArgumentException("target " + target + " has no replicas in this test");
  }

  @Override
  public String describe(String target) {
    return cluster.host() + ":" + cluster.port() + "/" + database(target);
  }

  private String database(String target) {
    String database = databases.get(target);
    if (database == null) {
      throw new IllegalArgumentException(
          "expected one of the targets " + databases.keySet() + ", got " + target);
    }
    return database;
  }
}
