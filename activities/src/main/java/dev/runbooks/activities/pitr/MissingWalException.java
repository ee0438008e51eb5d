package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;

/** The archive holds no object for a WAL file a restore needs. */
public final class MissingWalException extends PermanentBackupException {
  private static final long serialVersionUID = 1L;

  private final String file;

  public MissingWalException(String file, String message) {
    super(FailureType.NOT_FOUND, message);
    this.file = file;
  }

  /** The WAL file's name ({@code 000000010000000000000003}, {@code 00000002.history}). */
  public String file() {
    return file;
  }
}
