package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.SQLException;

/**
 * Turns what went wrong into what an activity throws: a permanent fault into a non-retryable {@link
 * ApplicationFailure} of its type, a transient one into a {@link TransientBackupException} that
 * Temporal retries. Every message says which backup of which target.
 */
final class Faults {
  /** PostgreSQL's "database does not exist". */
  static final String NO_SUCH_DATABASE = "3D000";

  private Faults() {}

  /** A permanent fault as a non-retryable failure, its message prefixed with {@code context}. */
  static ApplicationFailure permanent(String context, PermanentBackupException e) {
    String message = e.getMessage();
    return e.type().failure(message.startsWith(context) ? message : context + ": " + message);
  }

  /** A repository or network fault that may pass: retried by Temporal. */
  static TransientBackupException transientFault(
      String context, BackupRepository repository, IOException e) {
    String message = context + ": " + e.getMessage();
    if (!message.contains(repository.describe())) {
      message += " (repository " + repository.describe() + ")";
    }
    if (!message.contains("retried")) {
      message += "; the activity will be retried";
    }
    return new TransientBackupException(message, e);
  }

  /** A database fault that may pass (a refused or broken connection): retried by Temporal. */
  static TransientBackupException transientFault(String doing, SQLException e) {
    return new TransientBackupException(
        doing
            + " failed: "
            + e.getMessage()
            + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")")
            + "; the activity will be retried",
        e);
  }
}
