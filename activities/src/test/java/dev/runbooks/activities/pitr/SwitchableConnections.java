package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.testing.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;

/** One target whose primary is whichever cluster the test says (a switchover moves it). */
final class SwitchableConnections implements TargetConnections {
  private volatile LocalCluster primary;

  SwitchableConnections(LocalCluster primary) {
    this.primary = primary;
  }

  void switchTo(LocalCluster next) {
    this.primary = next;
  }

  @Override
  public Connection primary(String target) throws SQLException {
    return primary(target, "postgres");
  }

  @Override
  public Connection primary(String target, String database) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", primary.superuser());
    properties.setProperty("connectTimeout", "10");
    properties.setProperty("ApplicationName", "runbooks-archive-test");
    return DriverManager.getConnection(primary.jdbcUrl(database), properties);
  }

  @Override
  public ConnectionSpec connectionSpec(String target) {
    return new ConnectionSpec(
        primary.host(), primary.port(), "postgres", primary.superuser(), null, "disable");
  }

  @Override
  public List<String> replicaNames(String target) {
    return List.of();
  }

  @Override
  public Connection replica(String target, String replica) {
    throw new IllegalArgumentException("no replicas here");
  }

  @Override
  public String describe(String target) {
    return primary.host() + ":" + primary.port() + "/postgres";
  }
}
