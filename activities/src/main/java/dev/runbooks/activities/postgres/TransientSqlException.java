package dev.runbooks.activities.postgres;

import java.sql.SQLException;

/**
 * A database error that retrying can fix (see {@link SqlFaults}): thrown from an activity, it is
 * retried by the activity's retry policy with bounded backoff.
 */
public final class TransientSqlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TransientSqlException(String message, SQLException cause) {
    super(message, cause);
  }
}
