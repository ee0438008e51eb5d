package dev.runbooks.activities.backup.crypto;

import java.util.Objects;

/**
 * A backup's data key as it is stored in the manifest: encrypted by the key-encryption key named
 * {@code kekId}. Never the plaintext key.
 */
public record WrappedKey(String kekId, String wrappedBase64) {
  public WrappedKey {
    Objects.requireNonNull(kekId, "kekId");
    Objects.requireNonNull(wrappedBase64, "wrappedBase64");
  }
}
