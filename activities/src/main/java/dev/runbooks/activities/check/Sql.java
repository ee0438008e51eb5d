package dev.runbooks.activities.check;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

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
   * A failed login is permanent (see {@link SqlFaults}): retrying with the same secret fails the
   * same way, so it is thrown as a non-retryable AUTHENTICATION failure that says where to look.
   * Any other error is returned, for the check to turn into a finding.
   */
  static SQLException authenticationOr(SQLException e, String what) {
    if (SqlFaults.permanentType(e) == FailureType.AUTHENTICATION) {
      throw FailureType.AUTHENTICATION.failure(
          "Expected the admin role to log in to "
              + what
              + ", but the server refused it: "
              + Text.cause(e)
              + ". Check the target's admin secret in the secret store and pg_hba.conf.");
    }
    return e;
  }

  /** The connection broke (SQLSTATE class 08): the server went away, not the query. */
  static boolean connectionLost(SQLException e) {
    return e.getSQLState() != null && e.getSQLState().startsWith("08");
  }

  static boolean privilegeMissing(SQLException e) {
    return SqlFaults.permanentType(e) == FailureType.PERMISSION_DENIED;
  }

  /** The statement timeout set by {@link #prepare} cancelled the query (57014). */
  static boolean timedOut(SQLException e) {
    return "57014".equals(e.getSQLState());
  }

  /** The admin role as an SQL identifier, quoted when it needs to be, for the advice we print. */
  static String quotedCurrentUser(Connection c) throws SQLException {
    return Jdbc.string(c, "SELECT quote_ident(current_user)").orElseThrow();
  }

  static int serverVersionNum(Connection c) throws SQLException {
    return Integer.parseInt(
        Jdbc.string(c, "SELECT current_setting('server_version_num')").orElseThrow().trim());
  }

  static void closeQuietly(Connection c, Exception primary) {
    try {
      c.close();
    } catch (SQLException e) {
      primary.addSuppressed(e);
    }
  }
}
