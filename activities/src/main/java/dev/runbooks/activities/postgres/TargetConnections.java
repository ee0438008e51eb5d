package dev.runbooks.activities.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Opens connections to a configured target's servers, as its admin role. Implementations resolve
 * the target's configuration and its admin secret; callers never see a password. "The primary" is
 * the member {@link #topology} finds taking writes when the connection is opened, never simply the
 * configured {@code primary:}.
 */
public interface TargetConnections {
  /**
   * A new connection to the target's primary, to the target's database.
   *
   * @throws io.temporal.failure.ApplicationFailure when the members show no single primary (split
   *     brain, every reachable member fenced or in recovery)
   */
  Connection primary(String target) throws SQLException;

  /**
   * A new connection to another database on the target's primary server (a restore's scratch
   * database), as the same role.
   */
  Connection primary(String target, String database) throws SQLException;

  /**
   * How a child process such as {@code pg_dump} reaches the target's primary and database, with the
   * admin login resolved. It carries the password: hand it to the process through its environment
   * and never log it.
   */
  ConnectionSpec connectionSpec(String target);

  /** The names of the target's members other than the primary, in configuration order. */
  List<String> replicaNames(String target);

  /** A new connection to one of the target's members by name, to the target's database. */
  Connection replica(String target, String replica) throws SQLException;

  /**
   * Which member is the primary now, the others, and how that was decided. This default knows one
   * server, the one {@link #primary(String)} reaches.
   */
  default ResolvedTopology topology(String target) {
    MemberState m;
    try (Connection c = primary(target)) {
      m = TopologyResolver.probe("primary", describe(target), c);
    } catch (SQLException e) {
      m = MemberState.unreachable("primary", describe(target), e.getMessage());
    }
    return TopologyResolver.decide(target, "primary", List.of(m), Optional.empty());
  }

  /** What every session opened here sets. */
  default SessionSettings sessionSettings() {
    return SessionSettings.DEFAULTS;
  }

  /** Where a target's primary is, for messages: {@code host:port/database}. Never a password. */
  String describe(String target);
}
