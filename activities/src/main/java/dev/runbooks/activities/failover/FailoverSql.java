package dev.runbooks.activities.failover;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.activity.Activity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;

/**
 * How the failover's stages use a server as its admin role: a session that writes even on a fenced
 * server, ALTER SYSTEM with values quoted here, the timeline, waiting for a WAL receiver to stream,
 * and what a failed statement means (the one rule of {@link SqlFaults}).
 */
final class FailoverSql {
  /** What a refused privilege means for the failover: its admin role must be a superuser. */
  static final String SUPERUSER_NEEDED =
      "The failover's admin role must be a superuser (ALTER SYSTEM, pg_file_settings,"
          + " primary_conninfo, ending other roles' sessions).";

  private FailoverSql() {}

  /** Our session writes even on a fenced server. Closes the connection when that fails. */
  static Connection admin(Connection c) throws SQLException {
    try {
      Jdbc.execute(c, "SET default_transaction_read_only = off");
      return c;
    } catch (SQLException e) {
      c.close();
      throw e;
    }
  }

  /**
   * ALTER SYSTEM accepts only settings the session knows; a custom one is known once it was set
   * here.
   */
  static void knowSetting(Connection c, String name) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT set_config(?, '', false)")) {
      s.setString(1, name);
      s.executeQuery().close();
    }
  }

  static void alterSystem(Connection c, String name, String value) throws SQLException {
    if (name.equals(FenceRecord.SETTING)) {
      knowSetting(c, name);
    }
    // Quoted here, not by the server: a bound parameter would be logged beside the statement.
    Jdbc.execute(c, "ALTER SYSTEM SET " + name + " = " + Jdbc.literal(value));
  }

  /** The first row's first column, or null. */
  static String string(Connection c, String sql) throws SQLException {
    return Jdbc.string(c, sql).orElse(null);
  }

  /** The timeline of a primary's current WAL file; 0 for a server in recovery. */
  static int timeline(Connection c) throws SQLException {
    String file =
        string(
            c,
            "SELECT CASE WHEN pg_is_in_recovery() THEN NULL ELSE"
                + " pg_walfile_name(pg_current_wal_lsn()) END");
    return file == null ? 0 : Integer.parseInt(file.substring(0, 8), 16);
  }

  /** Whether the server's WAL receiver streams from {@code port} within {@code wait}. */
  static boolean awaitStreaming(Connection c, int port, Duration wait) throws SQLException {
    long deadline = System.nanoTime() + wait.toNanos();
    try (PreparedStatement s =
        c.prepareStatement("SELECT status, sender_port FROM pg_stat_wal_receiver")) {
      while (true) {
        try (ResultSet rs = s.executeQuery()) {
          if (rs.next() && "streaming".equals(rs.getString(1)) && rs.getInt(2) == port) {
            return true;
          }
        }
        if (System.nanoTime() > deadline) {
          return false;
        }
        heartbeat(new ActivityProgress("repoint", 0, 0, "checks"));
        sleep(Duration.ofMillis(100));
      }
    }
  }

  /** Why a server cannot be used, for preflight's report: the server's message. */
  static String problem(SQLException e) {
    String m = e.getMessage();
    return m == null ? e.getClass().getSimpleName() : m.strip();
  }

  /**
   * The exception for a failed statement: retried when the server was only unavailable (see {@link
   * SqlFaults}); permanent otherwise, a refused privilege naming what the role needs.
   */
  static RuntimeException failure(String what, SQLException e) {
    boolean refused = SqlFaults.permanentType(e) == FailureType.PERMISSION_DENIED;
    return SqlFaults.classify(e, what, refused ? SUPERUSER_NEEDED : "");
  }

  static void heartbeat(ActivityProgress progress) {
    try {
      Activity.getExecutionContext().heartbeat(progress);
    } catch (IllegalStateException | NullPointerException notInAnActivity) {
      // called outside an activity (a plain test): nobody to tell
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting", e);
    }
  }
}
