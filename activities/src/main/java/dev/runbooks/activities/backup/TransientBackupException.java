package dev.runbooks.activities.backup;

/**
 * A backup or restore fault that may pass by itself: an unreachable repository, a refused
 * connection, a {@code pg_dump} whose server connection was cut. Temporal retries the activity with
 * backoff; each attempt starts over cleanly.
 */
public final class TransientBackupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TransientBackupException(String message, Throwable cause) {
    super(message, cause);
  }
}
