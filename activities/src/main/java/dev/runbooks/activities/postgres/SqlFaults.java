package dev.runbooks.activities.postgres;

import dev.runbooks.workflows.shared.FailureType;
import java.sql.SQLException;

/**
 * The one rule for what a database error means to a runbook: retried (a transient exception the
 * activity's retry policy handles) or permanent (a non-retryable failure of one {@link
 * FailureType}). Every activity that talks to PostgreSQL turns its {@link SQLException}s into
 * failures here, so a runbook never retries a refused privilege, and never gives up on a server
 * that was only restarting.
 *
 * <p>Retried, by SQLSTATE class: 08 connection exception, 40 transaction rollback (serialization
 * failure, deadlock), 53 insufficient resources (too many connections, out of memory or disk on the
 * server), 57 operator intervention (shutdown, cannot connect now, a cancelled statement), 55P03
 * lock not available (a lock timeout), and errors with no SQLSTATE (the driver's own I/O errors).
 * Permanent: 28 invalid authorization (AUTHENTICATION), 42501 insufficient privilege
 * (PERMISSION_DENIED), 3D000 no such database (NOT_FOUND), and every other error the server gave
 * (SQL_ERROR): retrying the same statement gets the same answer.
 */
public final class SqlFaults {
  private SqlFaults() {}

  /** True when retrying the same work can succeed. */
  public static boolean isTransient(SQLException e) {
    String state = e.getSQLState();
    return state == null
        || state.startsWith("08")
        || state.startsWith("40")
        || state.startsWith("53")
        || state.startsWith("57")
        || "55P03".equals(state);
  }

  /** The failure type of a permanent error; null when the error is transient. */
  public static FailureType permanentType(SQLException e) {
    if (isTransient(e)) {
      return null;
    }
    String state = e.getSQLState();
    if (state.startsWith("28")) {
      return FailureType.AUTHENTICATION;
    }
    if ("42501".equals(state)) {
      return FailureType.PERMISSION_DENIED;
    }
    if ("3D000".equals(state)) {
      return FailureType.NOT_FOUND;
    }
    return FailureType.SQL_ERROR;
  }

  /**
   * The exception to throw from an activity for {@code e}.
   *
   * @param what what the activity could not do, as in "cannot {@code what}: ..."
   */
  public static RuntimeException classify(SQLException e, String what) {
    return classify(e, what, "");
  }

  /**
   * As {@link #classify(SQLException, String)}, with what the operator can do about a permanent
   * fault appended to its message (for example which privilege the admin role needs).
   */
  public static RuntimeException classify(SQLException e, String what, String fix) {
    String message = "cannot " + what + ": " + describe(e);
    FailureType type = permanentType(e);
    if (type == null) {
      return new TransientSqlException(message, e);
    }
    return type.failure(fix == null || fix.isBlank() ? message : message + ". " + fix);
  }

  /** The server's message and its SQLSTATE, on one line, for failure messages. */
  public static String describe(SQLException e) {
    String m = e.getMessage();
    String text = m == null ? e.getClass().getSimpleName() : m.strip().replace('\n', ' ');
    return e.getSQLState() == null ? text : text + " (SQLSTATE " + e.getSQLState() + ")";
  }
}
