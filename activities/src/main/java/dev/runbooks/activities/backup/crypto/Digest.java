package dev.runbooks.activities.backup.crypto;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

/** What passed through a stream: its length and its SHA-256 (lowercase hex). */
public record Digest(long bytes, String sha256) {
  public Digest {
    Objects.requireNonNull(sha256, "sha256");
  }

  /** The digest of a byte array. */
  public static Digest of(byte[] data) {
    MessageDigest sha256 = newSha256();
    return new Digest(data.length, HexFormat.of().formatHex(sha256.digest(data)));
  }

  static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime must provide SHA-256", e);
    }
  }

  static String hexOf(MessageDigest running) {
    try {
      // A clone, so the stream can go on hashing after a look at the digest so far.
      return HexFormat.of().formatHex(((MessageDigest) running.clone()).digest());
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("SHA-256 digest cannot be cloned", e);
    }
  }
}
