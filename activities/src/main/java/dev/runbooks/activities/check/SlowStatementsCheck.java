package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.workflows.check.Finding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The statements with the highest mean execution time, from pg_stat_statements when it is there.
 */
final class SlowStatementsCheck {
  static final String NAME = "slow-statements";

  static final int SLOWEST = 5;

  private SlowStatementsCheck() {}

  static List<Finding> run(Connection c) throws SQLException {
    String database = Jdbc.string(c, "SELECT current_database()").orElseThrow();
    Optional<String> schema =
        Jdbc.string(
            c,
            "SELECT quote_ident(n.nspname) FROM pg_extension e"
                + " JOIN pg_namespace n ON n.oid = e.extnamespace"
                + " WHERE e.extname = 'pg_stat_statements'");
    Optional<String> preload = preloadLibraries(c);
    boolean preloaded = preload.map(SlowStatementsCheck::preloadsStatements).orElse(false);
    if (schema.isEmpty()) {
      return List.of(
          new Finding(
              NAME,
              OK,
              "pg_stat_statements is not installed in database "
                  + database
                  + ", so the slowest statements are unknown",
              preloaded
                  ? "To see them, run as a superuser in database "
                      + database
                      + ": CREATE EXTENSION pg_stat_statements;"
                  : "To see them, set "
                      + preloadSetting(preload)
                      + " in postgresql.conf, restart PostgreSQL, then run in database "
                      + database
                      + ": CREATE EXTENSION pg_stat_statements;",
              List.of(
                  "shared_preload_libraries: "
                      + preload.map(p -> "'" + p + "'").orElse("(not visible to this role)"))));
    }
    List<Finding> findings = new ArrayList<>();
    List<String> slowest;
    try {
      slowest = slowest(c, schema.get());
    } catch (SQLException e) {
      if (!"55000".equals(e.getSQLState())) {
        throw e;
      }
      return List.of(
          new Finding(
              NAME,
              WARN,
              "pg_stat_statements is installed in database "
                  + database
                  + " but its library is not loaded: "
                  + Text.oneLine(e.getMessage(), 200),
              "Set "
                  + preloadSetting(preload)
                  + " in postgresql.conf and restart PostgreSQL; the extension itself is"
                  + " already created",
              List.of(
                  "shared_preload_libraries: "
                      + preload.map(p -> "'" + p + "'").orElse("(not visible to this role)"))));
    }
    OnPrimary.cannotSeeOtherSessions(c, NAME, "statements").ifPresent(findings::add);
    findings.add(
        new Finding(
            NAME,
            OK,
            slowest.isEmpty()
                ? "pg_stat_statements has recorded no statements in database " + database + " yet"
                : "the "
                    + slowest.size()
                    + " statements with the highest mean execution time in database "
                    + database
                    + " (pg_stat_statements)",
            "",
            slowest));
    return findings;
  }

  /** Up to {@link #SLOWEST} lines: rank, mean, calls, total, query. */
  private static List<String> slowest(Connection c, String schema) throws SQLException {
    try {
      return slowest(c, schema, "mean_exec_time", "total_exec_time");
    } catch (SQLException e) {
      // pg_stat_statements before 1.8 (PostgreSQL 12 and older) names them mean_time, total_time.
      if (!"42703".equals(e.getSQLState())) {
        throw e;
      }
      return slowest(c, schema, "mean_time", "total_time");
    }
  }

  private static List<String> slowest(Connection c, String schema, String mean, String total)
      throws SQLException {
    String sql =
        "SELECT calls, "
            + mean
            + ", "
            + total
            + ", query FROM "
            + schema
            + ".pg_stat_statements"
            + " WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())"
            + " ORDER BY "
            + mean
            + " DESC LIMIT "
            + SLOWEST;
    List<String> lines = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        lines.add(
            (lines.size() + 1)
                + ". mean "
                + Text.millis(rs.getDouble(2))
                + ", calls "
                + rs.getLong(1)
                + ", total "
                + Text.millis(rs.getDouble(3))
                + ": "
                + Text.query(rs.getString(4), Text.QUERY_CHARS));
      }
    }
    return lines;
  }

  /** shared_preload_libraries, or empty when this role may not read it (pg_read_all_settings). */
  private static Optional<String> preloadLibraries(Connection c) throws SQLException {
    try {
      return Jdbc.string(c, "SELECT current_setting('shared_preload_libraries')");
    } catch (SQLException e) {
      if (Sql.privilegeMissing(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  private static boolean preloadsStatements(String libraries) {
    return libraries(libraries).contains("pg_stat_statements");
  }

  private static List<String> libraries(String libraries) {
    return Arrays.stream(libraries.split(","))
        .map(l -> l.strip().replace("\"", ""))
        .filter(l -> !l.isEmpty())
        .toList();
  }

  /** The shared_preload_libraries line to write, keeping the libraries already loaded. */
  private static String preloadSetting(Optional<String> current) {
    List<String> libraries =
        new ArrayList<>(current.map(SlowStatementsCheck::libraries).orElse(List.of()));
    if (!libraries.contains("pg_stat_statements")) {
      libraries.add("pg_stat_statements");
    }
    String line = "shared_preload_libraries = '" + String.join(",", libraries) + "'";
    return current.isPresent() ? line : line + " (add any libraries already listed there)";
  }
}
