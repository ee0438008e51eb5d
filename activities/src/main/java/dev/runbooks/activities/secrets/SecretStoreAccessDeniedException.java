package dev.runbooks.activities.secrets;

import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;

/**
 * The secret store refused the caller: a token or login it does not accept, or a policy that does
 * not allow this path. Retrying with the same credentials cannot help, so an activity reports it
 * with {@link #toFailure()} as a non-retryable {@link FailureType#PERMISSION_DENIED}. The message
 * names the path and what to check, never the credentials themselves.
 */
public class SecretStoreAccessDeniedException extends SecretStoreException {
  private static final long serialVersionUID = 1L;

  private final String path;

  /**
   * @param path what was refused, as the store names it (for Vault the API path, such as {@code
   *     secret/data/db/orders/admin})
   */
  public SecretStoreAccessDeniedException(String path, String message) {
    super(message);
    this.path = path;
  }

  /** What was refused. */
  public String path() {
    return path;
  }

  /** The non-retryable Temporal failure an activity throws for this fault. */
  public ApplicationFailure toFailure() {
    return FailureType.PERMISSION_DENIED.failure(getMessage());
  }
}
