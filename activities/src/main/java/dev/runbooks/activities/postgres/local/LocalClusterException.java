package dev.runbooks.activities.postgres.local;

/** A throwaway cluster could not be made, started, copied or stopped; the message says why. */
public class LocalClusterException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public LocalClusterException(String message) {
    super(message);
  }

  public LocalClusterException(String message, Throwable cause) {
    super(message, cause);
  }
}
