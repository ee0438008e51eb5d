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

  /** The names of the target's configured replicas, in configuration order. */
  List<String> replicaNames(String target);

  /** A new connection to one of the target's replicas, to the target's database. */
  Connection replica(String target, String replica) throws SQLException;

  /** Where a target's primary is, for messages: {@code host:port/database}. Never a password. */
  String describe(String target);
}
