package dev.runbooks.activities.check;

import dev.runbooks.workflows.check.Figure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The figures the checks attach to their findings, for the metrics endpoint (Figure). */
final class HealthFigures {
  private HealthFigures() {}

  /** A replica's replay lag; nothing for what could not be measured. */
  static List<Figure> lag(String replica, Long bytes, Duration time) {
    List<Figure> figures = new ArrayList<>();
    if (bytes != null) {
      figures.add(Figure.of(Figure.REPLICATION_LAG_BYTES, "replica", replica, bytes));
    }
    if (time != null) {
      figures.add(
          Figure.of(Figure.REPLICATION_LAG_SECONDS, "replica", replica, time.toNanos() / 1e9));
    }
    return figures;
  }

  /** {@code pg_stat_database.deadlocks} of the connection's database, since its stats reset. */
  static Figure deadlocks(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce(sum(deadlocks), 0) FROM pg_stat_database"
                    + " WHERE datname = current_database()")) {
      rs.next();
      return Figure.of(Figure.DEADLOCKS, rs.getLong(1));
    }
  }

  /** A database of the cluster: its transaction-ID age and, when readable, its size. */
  record Database(String name, long xidAge, Long bytes) {}

  /**
   * Every database of the cluster: wraparound stops writes to all of them when one grows too old,
   * and they share the disk.
   */
  static List<Database> databases(Connection c) throws SQLException {
    List<Database> databases = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT datname, age(datfrozenxid),"
                    + " CASE WHEN has_database_privilege(oid, 'CONNECT')"
                    + " OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')"
                    + " THEN pg_database_size(oid) END"
                    + " FROM pg_database ORDER BY datname")) {
      while (rs.next()) {
        long bytes = rs.getLong(3);
        databases.add(new Database(rs.getString(1), rs.getLong(2), rs.wasNull() ? null : bytes));
      }
    }
    return databases;
  }

  static List<Figure> of(List<Database> databases) {
    List<Figure> figures = new ArrayList<>();
    for (Database d : databases) {
      figures.add(Figure.of(Figure.DATABASE_XID_AGE, "database", d.name(), d.xidAge()));
      if (d.bytes() != null) {
        figures.add(Figure.of(Figure.DATABASE_SIZE_BYTES, "database", d.name(), d.bytes()));
      }
    }
    return figures;
  }
}
