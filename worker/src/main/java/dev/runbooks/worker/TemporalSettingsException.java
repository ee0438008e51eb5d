package dev.runbooks.worker;

/**
 * The Temporal connection settings are unusable: a malformed address, a missing TLS file, an
 * unknown profile. A configuration error (CLI exit code 2), not an unreachable server.
 */
public final class TemporalSettingsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TemporalSettingsException(String message, Throwable cause) {
    super(message, cause);
  }
}
