package dev.runbooks.activities.secrets;

import java.util.List;

/**
 * The secret store could not be reached or could not answer right now: a refused connection, a
 * timeout, a sealed Vault (HTTP 503) or another server-side error. Transient: an activity lets it
 * through so that Temporal retries with backoff. The message names the store's address.
 */
public class SecretStoreUnavailableException extends SecretStoreException {
  private static final long serialVersionUID = 1L;

  private final String address;
  private final int status;
  private final List<String> errors;

  /**
   * @param status the HTTP status the store answered with, or 0 when it did not answer
   * @param errors the store's own error texts, possibly empty
   */
  public SecretStoreUnavailableException(
      String address, int status, List<String> errors, String message, Throwable cause) {
    super(message, cause);
    this.address = address;
    this.status = status;
    this.errors = List.copyOf(errors);
  }

  /** The address that did not answer, such as {@code https://vault.example.com:8200}. */
  public String address() {
    return address;
  }

  /** The HTTP status, or 0 when there was no answer at all (refused, timed out). */
  public int status() {
    return status;
  }

  /** The store's error texts, such as {@code Vault is sealed}; empty when it did not answer. */
  public List<String> errors() {
    return errors;
  }
}
