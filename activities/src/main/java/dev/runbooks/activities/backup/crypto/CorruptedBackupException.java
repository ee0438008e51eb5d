package dev.runbooks.activities.backup.crypto;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;

/**
 * A backup's bytes failed authentication: modified, truncated, or not the object the manifest
 * describes. Retrying cannot help; another backup can.
 */
public final class CorruptedBackupException extends PermanentBackupException {
  private static final long serialVersionUID = 1L;

  private final long segment;

  /** A failure in one 1 MiB segment of the encrypted stream. */
  public CorruptedBackupException(String message, long segment, Throwable cause) {
    super(FailureType.CORRUPTED_BACKUP, message, cause);
    this.segment = segment;
  }

  /** A failure outside the segments (a wrapped key, a manifest). */
  public CorruptedBackupException(String message, Throwable cause) {
    this(message, -1, cause);
  }

  /** The index of the segment that failed authentication, or -1 when not in the stream. */
  public long segment() {
    return segment;
  }
}
