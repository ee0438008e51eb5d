package dev.runbooks.activities.backup.repository;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;

/** No object under a key in a repository. */
public final class ObjectNotFoundException extends PermanentBackupException {
  private static final long serialVersionUID = 1L;

  private final String key;

  public ObjectNotFoundException(String key, String repository) {
    super(
        FailureType.NOT_FOUND,
        "no object "
            + key
            + " in backup repository "
            + repository
            + ": check the backup id (runbook backups --target T lists them) and that repository:"
            + " points where the backups were written");
    this.key = key;
  }

  public String key() {
    return key;
  }
}
