package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/** Connections in use against max_connections, with a breakdown by state, database and user. */
final class ConnectionsCheck {
  static final String NAME = "connections";

  private ConnectionsCheck() {}

  static List<Finding> run(Connection c, CheckThresholds thresholds) throws SQLException {
    int max;
    int reserved;
    boolean seesAll;
    long clientBackends;
    long databaseBackends;
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('max_connections')::int,"
                    + " current_setting('superuser_reserved_connections')::int,"
                    + " pg_has_role(current_user, 'pg_read_all_stats', 'USAGE'),"
                    + " (SELECT count(*) FROM pg_stat_activity"
                    + "  WHERE backend_type = 'client backend'),"
                    + " (SELECT coalesce(sum(numbackends), 0) FROM pg_stat_database)")) {
      rs.next();
      max = rs.getInt(1);
      reserved = rs.getInt(2);
      seesAll = rs.getBoolean(3);
      clientBackends = rs.getLong(4);
      databaseBackends = rs.getLong(5);
    }
    // Without pg_read_all_stats other sessions' backend_type is hidden; pg_stat_database
    // still counts every backend connected to a database.
    long used = seesAll ? clientBackends : databaseBackends;
    int available = Math.max(1, max - reserved);
    double percent = used * 100.0 / available;
    List<String> details = new ArrayList<>();
    details.add(
        "max_connections "
            + max
            + ", superuser_reserved_connections "
            + reserved
            + ": "
            + available
            + " for ordinary roles");
    if (seesAll) {
      details.addAll(connectionBreakdown(c));
    } else {
      details.add(
          "counted from pg_stat_database.numbackends: this role cannot see other sessions'"
              + " details (GRANT pg_monitor to show them)");
    }
    Severity severity =
        percent >= thresholds.connectionsCriticalPercent()
            ? CRITICAL
            : percent >= thresholds.connectionsWarnPercent() ? WARN : OK;
    String summary =
        used
            + " of "
            + available
            + " connections in use ("
            + Math.round(percent)
            + "%)"
            + (severity == OK
                ? ""
                : ", at or above the "
                    + (severity == CRITICAL
                        ? thresholds.connectionsCriticalPercent()
                        : thresholds.connectionsWarnPercent())
                    + "% threshold");
    String advice =
        severity == OK
            ? ""
            : "Find what holds the connections (details; pg_stat_activity), end idle ones"
                + " or put a pooler such as PgBouncer in front; raising max_connections"
                + " needs a restart";
    return List.of(
        new Finding(
            NAME,
            severity,
            summary,
            advice,
            details,
            List.of(Figure.of(Figure.CONNECTIONS, used), Figure.of(Figure.CONNECTIONS_MAX, max))));
  }

  private static List<String> connectionBreakdown(Connection c) throws SQLException {
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(state, 'unknown'), count(*) FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' GROUP BY 1 ORDER BY 2 DESC, 1")) {
      StringBuilder states = new StringBuilder("by state:");
      while (rs.next()) {
        states.append(' ').append(rs.getString(1)).append(' ').append(rs.getLong(2)).append(',');
      }
      lines.add(states.substring(0, states.length() - 1));
    }
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(datname, '-'), coalesce(usename, '-'), count(*)"
                    + " FROM pg_stat_activity WHERE backend_type = 'client backend'"
                    + " GROUP BY 1, 2 ORDER BY 3 DESC, 1, 2 LIMIT 5")) {
      while (rs.next()) {
        lines.add(
            "database "
                + rs.getString(1)
                + ", user "
                + rs.getString(2)
                + ": "
                + rs.getLong(3)
                + " connections");
      }
    }
    return lines;
  }
}
