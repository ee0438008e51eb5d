package dev.runbooks.activities.postgres;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;

/**
 * The JDBC one-liners every activity needs, and SQL quoting done in Java. Quoting here is for
 * statements that cannot take parameters (DDL, ALTER SYSTEM); everything else binds parameters.
 */
public final class Jdbc {
  private Jdbc() {}

  /** Runs one statement and ignores what it returns. */
  public static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  /** The first row's first column, or empty when there is no row or it is NULL. */
  public static Optional<String> string(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  /** The first row's first column as a boolean (false for NULL). */
  public static boolean bool(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new SQLException("expected a row from: " + sql);
      }
      return rs.getBoolean(1);
    }
  }

  /** An SQL identifier, always quoted, so that no name can change the statement. */
  public static String identifier(String name) {
    return "\"" + name.replace("\"", "\"\"") + "\"";
  }

  /** An SQL string literal, right whatever standard_conforming_strings says. */
  public static String literal(String text) {
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
  }
}
