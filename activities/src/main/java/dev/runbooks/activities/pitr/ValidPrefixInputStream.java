package dev.runbooks.activities.pitr;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * The first {@code valid} bytes of a stream, then zeros up to {@code size} bytes in all: a partial
 * WAL segment as far as it holds WAL, padded as PostgreSQL pads a segment. Closing it closes the
 * stream.
 */
final class ValidPrefixInputStream extends InputStream {
  private final InputStream in;
  private long valid;
  private long zeros;

  ValidPrefixInputStream(InputStream in, long valid, long size) {
    if (valid < 0 || valid > size) {
      throw new IllegalArgumentException(
          "expected 0 <= valid <= size, found " + valid + ", " + size);
    }
    this.in = Objects.requireNonNull(in, "in");
    this.valid = valid;
    this.zeros = size - valid;
  }

  @Override
  public int read() throws IOException {
    if (valid > 0) {
      int b = in.read();
      if (b < 0) {
        throw cutShort();
      }
      valid--;
      return b;
    }
    if (zeros == 0) {
      return -1;
    }
    zeros--;
    return 0;
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
        throw cutShort();
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

  private IOException cutShort() {
    return new IOException("the file ended " + valid + " bytes before its valid end");
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
