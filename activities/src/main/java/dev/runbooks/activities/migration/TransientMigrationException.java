package dev.runbooks.activities.migration;

/** A fault that may pass (a refused or broken connection): Temporal retries the activity. */
final class TransientMigrationException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TransientMigrationException(String message, Throwable cause) {
    super(message, cause);
  }
}
