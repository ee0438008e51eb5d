package dev.runbooks.activities.backup.crypto;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;

/** The backup's data key was wrapped by a different key-encryption key than the configured one. */
public final class WrongKeyException extends PermanentBackupException {
  private static final long serialVersionUID = 1L;

  private final String neededKeyId;
  private final String configuredKeyId;

  public WrongKeyException(String neededKeyId, String configuredKeyId) {
    super(
        FailureType.BAD_INPUT,
        "this backup's data key is wrapped by key-encryption key "
            + neededKeyId
            + " but the configured key is "
            + configuredKeyId
            + ": set encryption: in the configuration to the key that made the backup ("
            + neededKeyId
            + ")");
    this.neededKeyId = neededKeyId;
    this.configuredKeyId = configuredKeyId;
  }

  public String neededKeyId() {
    return neededKeyId;
  }

  public String configuredKeyId() {
    return configuredKeyId;
  }
}
