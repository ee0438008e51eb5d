package dev.runbooks.pgtools;

/** A throwaway cluster could not be made, started, copied or stopped; the message says why. */
public class PgToolsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public PgToolsException(String message) {
    super(message);
  }

  public PgToolsException(String message, Throwable cause) {
    super(message, cause);
  }
}
