package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import org.junit.jupiter.api.Test;

/** zstd streams over reused native contexts. */
class ZstdStreamsTest {
  @Test
  void decompressesAFrameThatEndsExactlyAsTheOutputBufferFills() throws Exception {
    for (int size : new int[] {1 << 20, 16 << 20, (16 << 20) + 5}) {
      byte[] data = new byte[size];
      data[7] = 1;
      ByteArrayOutputStream sink = new ByteArrayOutputStream();
      try (OutputStream out = ZstdStreams.compressing(sink, 3)) {
        new ByteArrayInputStream(data).transferTo(out);
      }
      try (InputStream in =
          ZstdStreams.decompressing(new ByteArrayInputStream(sink.toByteArray()))) {
        assertArrayEquals(data, in.readAllBytes(), "size " + size);
      }
    }
  }
}
