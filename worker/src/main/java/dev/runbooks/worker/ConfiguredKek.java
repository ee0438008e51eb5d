package dev.runbooks.worker;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;

/**
 * The key-encryption key the configuration names, opened on the first backup or restore rather than
 * at worker start: a worker that only runs checks needs no key, and a local keyset is made when the
 * first backup needs it, not when a worker starts.
 */
final class ConfiguredKek implements KeyEncryptionKey {
  private final String spec;
  private KeyEncryptionKey key;

  /**
   * @param spec {@code local-keyset:/absolute/path} or {@code vault-transit:NAME}
   */
  ConfiguredKek(String spec) {
    this.spec = spec;
  }

  @Override
  public String keyId() {
    return key().keyId();
  }

  @Override
  public byte[] wrap(byte[] plaintextKeyset) {
    return key().wrap(plaintextKeyset);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, String keyId) {
    return key().unwrap(wrapped, keyId);
  }

  private synchronized KeyEncryptionKey key() {
    if (key == null) {
      key = open(spec);
    }
    return key;
  }

  private static KeyEncryptionKey open(String spec) {
    if (spec.startsWith(LocalKeysetKek.SCHEME)) {
      try {
        return LocalKeysetKek.fromUri(spec);
      } catch (PermanentBackupException e) {
        throw ApplicationFailure.newNonRetryableFailure(e.getMessage(), e.type().name());
      }
    }
    throw FailureType.BAD_INPUT.failure(
        "encryption: "
            + spec
            + " is not available in this version of runbooks: backups can be encrypted with a"
            + " local Tink keyset; set encryption: local-keyset:/var/lib/runbooks/backup-keyset.json"
            + " and restart the worker");
  }

  @Override
  public String toString() {
    return "ConfiguredKek[" + spec + "]";
  }
}
