package dev.runbooks.activities.backup.crypto;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Passes bytes on unchanged, counting them and hashing them with SHA-256. */
public final class HashingOutputStream extends FilterOutputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long bytes;

  public HashingOutputStream(OutputStream out) {
    super(out);
  }

  @Override
  public void write(int b) throws IOException {
    out.write(b);
    sha256.update((byte) b);
    bytes++;
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    // FilterOutputStream writes byte by byte; pass the whole array on.
    out.write(b, off, len);
    sha256.update(b, off, len);
    bytes += len;
  }

  /** The number of bytes written so far: cheap, unlike {@link #digest()}. */
  public long bytes() {
    return bytes;
  }

  /** The bytes written so far and their SHA-256. */
  public Digest digest() {
    return new Digest(bytes, Digest.hexOf(sha256));
  }
}
