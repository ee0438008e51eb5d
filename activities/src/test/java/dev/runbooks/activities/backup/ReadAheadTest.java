package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The read-ahead passes every byte on in order, and a failed read after what came before it. */
class ReadAheadTest {
  @Test
  void passesEveryByteOnInOrderThroughRecycledBuffers() throws IOException {
    // More than all the buffers hold at once, so that they must be recycled.
    byte[] data = new byte[ReadAhead.CHUNK * ReadAhead.CHUNKS * 3 + 12_345];
    new Random(42).nextBytes(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ReadAhead ahead = ReadAhead.start(new ByteArrayInputStream(data), "test")) {
      ReadAhead.Chunk chunk;
      while ((chunk = ahead.next()) != null) {
        out.write(chunk.bytes, 0, chunk.length);
        ahead.recycle(chunk);
      }
      assertNull(ahead.next(), "the end stays the end");
    }
    assertArrayEquals(data, out.toByteArray());
  }

  @Test
  void aFailedReadIsThrownAfterTheBytesReadBeforeIt() throws IOException {
    IOException broken = new IOException("pipe broken");
    InputStream failing =
        new InputStream() {
          private int reads;

          @Override
          public int read() {
            throw new UnsupportedOperationException();
          }

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (reads++ == 2) {
              throw broken;
            }
            b[off] = (byte) reads;
            return 1;
          }
        };
    try (ReadAhead ahead = ReadAhead.start(failing, "test")) {
      assertEquals(1, ahead.next().bytes[0]);
      assertEquals(2, ahead.next().bytes[0]);
      assertSame(broken, assertThrows(IOException.class, ahead::next));
    }
  }
}
