package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;

/**
 * A complete WAL file differs from the one the archive already holds under the same name: two
 * clusters write into one target's archive, or the server's WAL was rewritten. Never overwritten.
 */
public final class ConflictingWalException extends PermanentBackupException {
  private static final long serialVersionUID = 1L;

  public ConflictingWalException(String message) {
    super(FailureType.CONFLICT, message);
  }
}
