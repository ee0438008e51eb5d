package dev.runbooks.activities.pitr;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * The first {@code valid} bytes of a stream, then zeros up to {@code size} bytes in all: a partial
 * WAL segment as far as it holds WAL, padded as PostgreSQL pads a segment.
 */
final class ValidPrefixInputStream extends FilterInputStream {
  private long valid;
  private long zeros;

  ValidPrefixInputStream(InputStream in, long valid, long size) {
    super(in);
    if (valid < 0 || valid > size) {
      throw new IllegalArgumentException(
          "expected 0 <= valid <= size, found " + valid + ", " + size);
    }
    this.valid = valid;
    this.zeros = size - valid;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, b.length);
    if (len == 0) {
      return 0;
    }
    if (valid > 0) {
      int n = in.read(b, off, (int) Math.min(len, valid));
      if (n < 0) {
        throw new IOException("the file ended " + valid + " bytes before its valid end");
      }
      valid -= n;
      return n;
    }
    if (zeros == 0) {
      return -1;
    }
    int n = (int) Math.min(len, zeros);
    Arrays.fill(b, off, off + n, (byte) 0);
    zeros -= n;
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[8192];
    long skipped = 0;
    int r;
    while (skipped < n && (r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped))) > 0) {
      skipped += r;
    }
    return skipped;
  }

  @Override
  public int available() {
    return 0;
  }

  @Override
  public boolean markSupported() {
    return false;
  }
}
