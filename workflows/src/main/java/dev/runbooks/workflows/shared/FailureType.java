package dev.runbooks.workflows.shared;

import io.temporal.failure.ApplicationFailure;

/**
 * Permanent faults. An activity that throws one of these is not retried: retrying cannot fix bad
 * input, a wrong password or a corrupted backup. Transient faults (connection refused, S3 503) are
 * thrown as ordinary exceptions and retried with bounded backoff.
 */
public enum FailureType {
  BAD_INPUT,
  AUTHENTICATION,
  PERMISSION_DENIED,
  NOT_FOUND,
  PREFLIGHT_FAILED,
  TARGET_LOCKED,
  CHECKSUM_MISMATCH,
  CORRUPTED_BACKUP,
  LAG_TOO_HIGH,
  APPROVAL_TIMEOUT,
  ROLLBACK_FAILED,
  MIGRATION_FAILED,
  CONFLICT,
  /** The backup repository's file system is full: retrying cannot make room. */
  STORAGE_FULL,
  /** The server refused a statement for a reason retrying cannot change (see SqlFaults). */
  SQL_ERROR,
  /**
   * A runbook's own check of its work found it not done (a canary write that did not read back).
   */
  VERIFICATION_FAILED,
  /** A runbook failed for a reason no other type names; its message says which step. */
  RUNBOOK_FAILED;

  /** Every type, for {@code RetryOptions.setDoNotRetry}. */
  public static String[] names() {
    FailureType[] all = values();
    String[] names = new String[all.length];
    for (int i = 0; i < all.length; i++) {
      names[i] = all[i].name();
    }
    return names;
  }

  /**
   * A non-retryable failure of this type. The message must say what was expected, what was found,
   * and what the operator can do, and must never contain a secret.
   */
  public ApplicationFailure failure(String message) {
    return ApplicationFailure.newNonRetryableFailure(message, name());
  }

  /** The type of a failure's message, or null when it is not one of ours. */
  public static FailureType of(String type) {
    if (type == null) {
      return null;
    }
    for (FailureType t : values()) {
      if (t.name().equals(type)) {
        return t;
      }
    }
    return null;
  }
}
