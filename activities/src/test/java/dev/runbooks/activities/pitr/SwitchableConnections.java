package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.testing.LocalCluster;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** One target whose primary is whichever cluster the test says (a switchover moves it). */
final class SwitchableConnections implements TargetConnections {
  private volatile LocalCluster primary;
  private final Map<String, LocalCluster> members = new LinkedHashMap<>();

  SwitchableConnections(LocalCluster primary) {
    this.primary = primary;
  }

  /** A replica the archiver keeps its slot on too. */
  SwitchableConnections withReplica(String name, LocalCluster replica) {
    members.put(name, replica);
    return this;
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
    return members.entrySet().stream()
        .filter(m -> m.getValue() != primary)
        .map(Map.Entry::getKey)
        .toList();
  }

  @Override
  public Connection replica(String target, String replica) throws SQLException {
    LocalCluster member = members.get(replica);
    if (member == null) {
      throw new IllegalArgumentException("no replica " + replica);
    }
    return member.connect("postgres");
  }

  @Override
  public String describe(String target) {
    return primary.host() + ":" + primary.port() + "/postgres";
  }
}
