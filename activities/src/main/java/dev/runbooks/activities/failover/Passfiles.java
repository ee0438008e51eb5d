package dev.runbooks.activities.failover;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The rule that keeps the replication password out of what the failover writes: repointing a
 * replica writes its primary_conninfo (ALTER SYSTEM), and both the statement and the server's
 * "parameter changed" line reach the server log. So a replica whose primary_conninfo holds a
 * password is refused before any change, with how to move the password into a passfile.
 */
final class Passfiles {
  private Passfiles() {}

  /**
   * Whether the replica's primary_conninfo holds a password. False when the role cannot read the
   * setting (only superusers and pg_read_all_settings can): repointing reads it too, and fails
   * there with what the role lacks.
   */
  static boolean conninfoHoldsPassword(Connection replica) throws SQLException {
    try (Statement s = replica.createStatement();
        ResultSet rs = s.executeQuery("SHOW primary_conninfo")) {
      rs.next();
      return Conninfo.hasPassword(rs.getString(1));
    } catch (SQLException e) {
      if ("42501".equals(e.getSQLState())) {
        return false;
      }
      throw e;
    }
  }

  /** The refusal: which replicas hold a password, that nothing changed, and the fix. */
  static String refusal(String target, List<String> replicas) {
    return (replicas.size() == 1 ? "replica " : "replicas ")
        + String.join(", ", replicas)
        + " of "
        + target
        + " keep the replication password in primary_conninfo (password=...). Repointing a"
        + " replica writes primary_conninfo with ALTER SYSTEM, which would put that password in"
        + " the server log, so the failover refuses. Nothing was changed. On each, move the"
        + " password into a passfile: as the server's OS user (postgres), write the line"
        + " *:*:*:REPLICATION_USER:PASSWORD (host:port:database:user:password; escape : and \\"
        + " in the password with \\) to ~/.pgpass or another file, chmod 0600 it, then set"
        + " primary_conninfo without password= and with passfile=/path/to/that/file (in"
        + " postgresql.auto.conf while the server is stopped, or with ALTER SYSTEM SET"
        + " primary_conninfo = '...' and SELECT pg_reload_conf()), check that pg_stat_wal_receiver"
        + " shows it streaming, and run the failover again.";
  }
}
