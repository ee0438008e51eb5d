package dev.runbooks.activities.postgres;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.SQLException;
import java.util.Locale;

/**
 * What a failed connection means to the caller, in words that name the target, the server and the
 * fix, and never the password.
 */
final class ConnectionFailures {
  private ConnectionFailures() {}

  /** Where a connection goes, for messages. */
  record Where(String target, String server, Endpoint endpoint, String role, String fix) {}

  /**
   * Turns a failed connection into what the caller should see: a non-retryable AUTHENTICATION
   * failure for a rejected login, otherwise a retryable SQLException naming the target and address.
   * Package-private so the classification can be tested without a server.
   *
   * @throws io.temporal.failure.ApplicationFailure for a rejected login
   */
  static SQLException explain(SQLException e, Where where, String password) {
    String state = e.getSQLState();
    String serverMessage = scrub(e.getMessage(), password);
    String place =
        "target \"" + where.target() + "\" " + where.server() + " at " + where.endpoint().address();
    if ("28P01".equals(state)
        || "28000".equals(state)
        || ("08004".equals(state) && serverMessage.toLowerCase(Locale.ROOT).contains("password"))) {
      throw FailureType.AUTHENTICATION.failure(
          "cannot log in to "
              + place
              + " as role \""
              + where.role()
              + "\": "
              + serverMessage
              + " (SQLSTATE "
              + state
              + "). Fix: "
              + where.fix());
    }
    return new SQLException(
        "cannot connect to "
            + place
            + " (database "
            + where.endpoint().database()
            + "): "
            + serverMessage
            + cause(e, password)
            + (state == null ? "" : " (SQLSTATE " + state + ")"),
        state,
        e.getErrorCode(),
        e);
  }

  /** pgjdbc's "The connection attempt failed." hides why; the cause says (unknown host, ...). */
  private static String cause(SQLException e, String password) {
    Throwable cause = e.getCause();
    if (cause == null || cause instanceof SQLException) {
      return "";
    }
    return " ("
        + cause.getClass().getSimpleName()
        + ": "
        + scrub(cause.getMessage(), password)
        + ")";
  }

  private static String scrub(String message, String password) {
    if (message == null) {
      return "no message";
    }
    String text = message.strip();
    if (password != null && !password.isEmpty()) {
      text = text.replace(password, "********");
    }
    return text;
  }
}
