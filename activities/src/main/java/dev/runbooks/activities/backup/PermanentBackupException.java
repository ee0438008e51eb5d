package dev.runbooks.activities.backup;

import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.util.Objects;

/**
 * A backup fault that retrying cannot fix: a corrupted object, the wrong key, a missing bucket,
 * denied access. Activities turn it into a non-retryable failure with {@link #toFailure()}.
 * Transient faults (a 503, a refused connection) are {@link java.io.IOException}s instead and are
 * retried.
 */
public class PermanentBackupException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final FailureType type;

  public PermanentBackupException(FailureType type, String message) {
    this(type, message, null);
  }

  public PermanentBackupException(FailureType type, String message, Throwable cause) {
    super(message, cause);
    this.type = Objects.requireNonNull(type, "type");
  }

  public FailureType type() {
    return type;
  }

  /** The non-retryable Temporal failure an activity throws for this fault. */
  public ApplicationFailure toFailure() {
    return type.failure(getMessage());
  }
}
