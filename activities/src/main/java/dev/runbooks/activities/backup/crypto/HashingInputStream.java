package dev.runbooks.activities.backup.crypto;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/** Passes bytes on unchanged, counting and hashing with SHA-256 every byte read. */
public final class HashingInputStream extends FilterInputStream {
  private final MessageDigest sha256 = Digest.newSha256();
  private long bytes;

  public HashingInputStream(InputStream in) {
    super(in);
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      sha256.update((byte) b);
      bytes++;
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      sha256.update(b, off, n);
      bytes += n;
    }
    return n;
  }

  /** Skipping would leave bytes out of the digest: they are read and hashed instead. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[(int) Math.min(8192, Math.max(n, 1))];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {}

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("a hashing stream cannot be reset: the digest would count bytes twice");
  }

  /** Drains the rest of the stream into the digest. */
  public Digest drain() throws IOException {
    byte[] buffer = new byte[64 * 1024];
    while (read(buffer, 0, buffer.length) >= 0) {
      // hashing happens in read
    }
    return digest();
  }

  /** The number of bytes read so far: cheap, unlike {@link #digest()}. */
  public long bytes() {
    return bytes;
  }

  /** The bytes read so far and their SHA-256. */
  public Digest digest() {
    return new Digest(bytes, Digest.hexOf(sha256));
  }
}
