package dev.runbooks.pgtools;

/** No usable PostgreSQL server binaries were found; the message says what to install. */
public class MissingPostgresException extends PgToolsException {
  private static final long serialVersionUID = 1L;

  public MissingPostgresException(String message) {
    super(message);
  }
}
