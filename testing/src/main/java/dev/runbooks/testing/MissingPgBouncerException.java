package dev.runbooks.testing;

import dev.runbooks.pgtools.PgToolsException;

/** No pgbouncer program was found; the message names the package to install. */
public class MissingPgBouncerException extends PgToolsException {
  private static final long serialVersionUID = 1L;

  public MissingPgBouncerException(String message) {
    super(message);
  }
}
