package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;

/**
 * The size of the target database, and how close the cluster's oldest database is to transaction-ID
 * wraparound (PostgreSQL stops writes at about 2.1 billion).
 */
final class DatabaseSizeCheck {
  static final String NAME = "database-size";

  /** XID ages at which the wraparound finding is WARN and CRITICAL. */
  static final long XID_AGE_WARN = 1_000_000_000L;

  static final long XID_AGE_CRITICAL = 1_500_000_000L;

  private DatabaseSizeCheck() {}

  static List<Finding> run(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT current_database(), pg_database_size(current_database())")) {
      rs.next();
      String database = rs.getString(1);
      long bytes = rs.getLong(2);
      List<HealthFigures.Database> databases = HealthFigures.databases(c);
      return List.of(
          new Finding(
              NAME,
              OK,
              "database " + database + " is " + Text.bytes(bytes),
              "",
              List.of("pg_database_size: " + bytes + " bytes"),
              HealthFigures.of(databases)),
          wraparound(databases));
    }
  }

  private static Finding wraparound(List<HealthFigures.Database> databases) {
    HealthFigures.Database oldest =
        databases.stream()
            .max(Comparator.comparingLong(HealthFigures.Database::xidAge))
            .orElseThrow();
    Severity severity =
        oldest.xidAge() >= XID_AGE_CRITICAL
            ? CRITICAL
            : oldest.xidAge() >= XID_AGE_WARN ? WARN : OK;
    return new Finding(
        NAME,
        severity,
        "the oldest transaction ID, in database "
            + oldest.name()
            + ", is "
            + oldest.xidAge()
            + " transactions old; writes stop at about 2.1 billion",
        severity == OK
            ? ""
            : "Run VACUUM (FREEZE) on the oldest tables of database "
                + oldest.name()
                + " (SELECT relname, age(relfrozenxid) FROM pg_class ORDER BY 2 DESC) and end"
                + " what holds autovacuum back: long transactions, prepared transactions,"
                + " stale replication slots",
        databases.stream().map(d -> d.name() + ": XID age " + d.xidAge()).toList());
  }
}
