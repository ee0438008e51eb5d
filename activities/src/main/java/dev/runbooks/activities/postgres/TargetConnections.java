package dev.runbooks.activities.postgres;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Opens connections to a configured target's servers, as its admin role. Implementations resolve
 * the target's configuration and its admin secret; callers never see a password.
 */
public interface TargetConnections {
  /** A new connection to the target's primary, to the target's database. */
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

  /** The names of the target's configured replicas, in configuration order. */
  List<String> replicaNames(String target);

  /** A new connection to one of the target's replicas, to the target's database. */
  Connection replica(String target, String replica) throws SQLException;

  /** What every session opened here sets. */
  default SessionSettings sessionSettings() {
    return SessionSettings.DEFAULTS;
  }

  /** Where a target's primary is, for messages: {@code host:port/database}. Never a password. */
  String describe(String target);
}
