package dev.runbooks.activities.secrets;

/**
 * A secret store could not do what was asked. Messages name paths, versions and files, and never
 * contain a secret value.
 */
public class SecretStoreException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public SecretStoreException(String message) {
    super(message);
  }

  public SecretStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
