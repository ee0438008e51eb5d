package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.problem;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.ServerState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Every server of a target as it is now, read from the server: running or not, in recovery, whom
 * its WAL receiver streams from, and the failover's fence. Read-only; a server that does not answer
 * is reported with the connection's error, never guessed at.
 */
final class ServerStates {
  private static final String QUERY =
      "SELECT pg_is_in_recovery(),"
          + " (SELECT status FROM pg_stat_wal_receiver),"
          + " (SELECT sender_host FROM pg_stat_wal_receiver),"
          + " (SELECT sender_port FROM pg_stat_wal_receiver),"
          + " current_setting('"
          + FenceRecord.SETTING
          + "', true),"
          + " (SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_read_only')";

  private final TargetConnections connections;
  private final FailoverTargets targets;

  ServerStates(TargetConnections connections, FailoverTargets targets) {
    this.connections = connections;
    this.targets = targets;
  }

  /**
   * The old primary first, then the other members in configuration order; each read by its member
   * name, never through the connection to whichever member is the primary now.
   *
   * @param oldPrimary the member that was the primary before the failover
   * @param oldPrimaryDataDir the old primary's data directory when it is on this host, to tell
   *     "stopped" from "not answering"; null otherwise
   */
  List<ServerState> read(String target, String oldPrimary, Path oldPrimaryDataDir) {
    List<String> names = targets.members(target);
    List<ServerState> states = new ArrayList<>();
    states.add(read(target, oldPrimary, names, oldPrimaryDataDir));
    for (String name : names) {
      if (!name.equals(oldPrimary)) {
        states.add(read(target, name, names, null));
      }
    }
    return states;
  }

  private ServerState read(String target, String name, List<String> names, Path dataDir) {
    String address = targets.endpoint(target, name).address();
    try (Connection c = connections.replica(target, name);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(QUERY)) {
      rs.next();
      String receiver = rs.getString(2);
      String following =
          receiver == null ? "" : member(target, names, rs.getString(3), rs.getInt(4));
      return new ServerState(
          name,
          address,
          ServerState.RUNNING,
          rs.getBoolean(1),
          following,
          receiver,
          fence(c, rs.getString(5), "on".equals(rs.getString(6))));
    } catch (SQLException e) {
      String status =
          dataDir != null && !Files.exists(dataDir.resolve("postmaster.pid"))
              ? ServerState.STOPPED + " (no server runs in " + dataDir + ")"
              : "not answering: " + problem(e);
      return new ServerState(name, address, status, null, "", "", "");
    }
  }

  /** The configured name of the server at host:port, else host:port. */
  private String member(String target, List<String> names, String host, int port) {
    for (String name : names) {
      Endpoint e = targets.endpoint(target, name);
      if (e.host().equals(host) && e.port() == port) {
        return name;
      }
    }
    return host + ":" + port;
  }

  /** "fenced by RUN: read-only, roles app NOLOGIN" from the fence record; "" when none. */
  private static String fence(Connection c, String record, boolean readOnly) throws SQLException {
    if (record == null || record.isBlank()) {
      return readOnly ? "read-only (default_transaction_read_only on, not by a failover)" : "";
    }
    FenceRecord fence;
    try {
      fence = FenceRecord.decode(record);
    } catch (IllegalArgumentException e) {
      return "fenced: " + e.getMessage();
    }
    List<String> locked = new ArrayList<>();
    try (var s = c.prepareStatement("SELECT NOT rolcanlogin FROM pg_roles WHERE rolname = ?")) {
      for (String role : fence.roles()) {
        s.setString(1, role);
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && rs.getBoolean(1)) {
            locked.add(role);
          }
        }
      }
    }
    return "fenced by "
        + fence.runId()
        + ": "
        + (readOnly ? "read-only" : "NOT read-only")
        + (locked.isEmpty() ? "" : ", roles " + String.join(", ", locked) + " NOLOGIN");
  }
}
