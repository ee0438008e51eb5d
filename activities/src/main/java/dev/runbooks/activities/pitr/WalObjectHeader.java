package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.WrappedKey;
import java.time.Instant;
import java.util.Objects;

/**
 * What a stored WAL object says about itself, in clear text at its start (and bound into the
 * ciphertext's authentication, so a changed header fails decryption): the file it holds, the WAL
 * range, the plaintext's length and SHA-256, and the wrapped data key that decrypts it.
 *
 * @param name the file's name: a segment name, or {@code 00000002.history}
 * @param startLsn the first LSN the object holds (0 for a history file)
 * @param endLsn the LSN just past the last valid byte: a segment's end, a partial segment's flushed
 *     end, 0 for a history file
 * @param bytes the plaintext's length (a partial segment is stored zero-padded to the full size)
 * @param sha256 the plaintext's SHA-256, lowercase hex
 */
public record WalObjectHeader(
    int formatVersion,
    WalObjectKind kind,
    String name,
    int timeline,
    long startLsn,
    long endLsn,
    long bytes,
    String sha256,
    WrappedKey key,
    Instant storedAt) {
  public static final int FORMAT_VERSION = 1;

  public WalObjectHeader {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(sha256, "sha256");
    Objects.requireNonNull(key, "key");
    Objects.requireNonNull(storedAt, "storedAt");
  }
}
