package dev.runbooks.activities.backup.crypto;

/**
 * The key that wraps (encrypts) each backup's data key: a local Tink keyset, or a key held by a key
 * service such as Vault transit. Backups store only wrapped data keys, so whoever holds a
 * repository without this key cannot read a backup.
 */
public interface KeyEncryptionKey {
  /**
   * A stable name for this key, recorded in every manifest, so a restore can say which key a backup
   * needs. Never secret.
   */
  String keyId();

  /** Encrypts a serialized data keyset. */
  byte[] wrap(byte[] plaintextKeyset);

  /**
   * Decrypts a data keyset wrapped by the key named {@code keyId}.
   *
   * @throws WrongKeyException when {@code keyId} is not this key: the message names the key the
   *     backup needs and the one configured
   * @throws CorruptedBackupException when the wrapped key does not decrypt although the key ids
   *     match
   */
  byte[] unwrap(byte[] wrapped, String keyId);

  /**
   * The key file this key created on first use, told once: the backup that takes it reports it in
   * its run's result, so the engineer learns that it must be copied. Null when the key existed, or
   * was told already.
   */
  default String takeNewKeyset() {
    return null;
  }
}
