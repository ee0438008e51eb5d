package dev.runbooks.activities.check;

import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Optional;

/** How the checks use a connection: read-only, with a statement timeout, errors classified. */
final class Sql {
  /** No check query may run longer than this; a server too busy to answer is itself a finding. */
  static final Duration STATEMENT_TIMEOUT = Duration.ofSeconds(10);

  private Sql() {}

  /**
   * Makes a fresh connection safe for checks: every statement times out and no transaction can
   * write. Closes the connection when that fails.
   */
  static Connection prepare(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(
          "SET statement_timeout = '"
              + STATEMENT_TIMEOUT.toMillis()
              + "ms'; SET default_transaction_read_only = on");
      return c;
    } catch (SQLException e) {
      closeQuietly(c, e);
      throw e;
    }
  }

  /**
   * A failed login is permanent: retrying with the same secret fails the same way, so it becomes a
   * non-retryable AUTHENTICATION failure (class 28: invalid authorization, wrong password).
   */
  static SQLException authenticationOr(SQLException e, String what) {
    String state = e.getSQLState();
    if (state != null && state.startsWith("28")) {
      throw FailureType.AUTHENTICATION.failure(
          "Expected the admin role to log in to "
              + what
              + ", but the server refused it: "
              + Text.cause(e)
              + ". Check the target's admin secret in the secret store and pg_hba.conf.");
    }
    return e;
  }

  static boolean connectionLost(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("08");
  }

  static boolean privilegeMissing(SQLException e) {
    return "42501".equals(e.getSQLState());
  }

  static boolean timedOut(SQLException e) {
    return "57014".equals(e.getSQLState());
  }

  /** The first row's first column, or empty when there is no row. */
  static Optional<String> string(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
    }
  }

  static boolean bool(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getBoolean(1);
    }
  }

  /** The admin role as an SQL identifier, quoted when it needs to be, for the advice we print. */
  static String quotedCurrentUser(Connection c) throws SQLException {
    return string(c, "SELECT quote_ident(current_user)").orElseThrow();
  }

  static int serverVersionNum(Connection c) throws SQLException {
    try (PreparedStatement s = c.prepareStatement("SELECT current_setting('server_version_num')");
        ResultSet rs = s.executeQuery()) {
      rs.next();
      return Integer.parseInt(rs.getString(1).trim());
    }
  }

  static void closeQuietly(Connection c, Exception primary) {
    try {
      c.close();
    } catch (SQLException e) {
      primary.addSuppressed(e);
    }
  }
}
