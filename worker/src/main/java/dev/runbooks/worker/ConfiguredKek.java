package dev.runbooks.worker;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKeys;
import dev.runbooks.activities.backup.crypto.KeysetCreation;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.workflows.shared.FailureType;

/**
 * The key-encryption key the configuration names, opened on the first backup or restore rather than
 * at worker start: a worker that only runs checks needs no key, and a local keyset is made when the
 * first backup needs it, not when a worker starts.
 */
final class ConfiguredKek implements KeyEncryptionKey {
  private final EncryptionSpec spec;
  private final KeysetCreation creation;
  private KeyEncryptionKey key;

  ConfiguredKek(EncryptionSpec spec) {
    this(spec, KeysetCreation.ALWAYS);
  }

  /**
   * @param creation whether a missing local keyset may be made (only for an empty repository)
   */
  ConfiguredKek(EncryptionSpec spec, KeysetCreation creation) {
    this.spec = spec;
    this.creation = creation;
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

  @Override
  public synchronized String takeNewKeyset() {
    return key == null ? null : key.takeNewKeyset();
  }

  private synchronized KeyEncryptionKey key() {
    if (key == null) {
      key = open(spec, creation);
    }
    return key;
  }

  private static KeyEncryptionKey open(EncryptionSpec spec, KeysetCreation creation) {
    try {
      return KeyEncryptionKeys.open(spec, System.getenv(), creation);
    } catch (PermanentBackupException e) {
      throw e.toFailure();
    } catch (IllegalArgumentException e) {
      throw FailureType.BAD_INPUT.failure(
          "encryption: "
              + e.getMessage()
              + ". Fix encryption: in the configuration (local-keyset:/path or"
              + " vault-transit:NAME with VAULT_ADDR and VAULT_TOKEN set) and restart the worker");
    }
  }

  @Override
  public String toString() {
    return "ConfiguredKek[" + spec.uri() + "]";
  }
}
