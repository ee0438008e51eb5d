package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The pooled zstd streams round-trip whatever goes through them. */
class ZstdStreamsTest {
  /**
   * 16 MiB, a multiple of the streams' 128 KiB buffer (a WAL segment is exactly this): the frame
   * ends in a call that fills the output buffer exactly, and the stream must still end cleanly.
   */
  @Test
  void roundTripsAStreamWhoseSizeIsAMultipleOfTheBuffer() throws IOException {
    byte[] data = new byte[16 << 20];
    Random random = new Random(42);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) "0123456789abcdef".charAt(random.nextInt(16));
    }
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (OutputStream out = ZstdStreams.compressing(compressed, 3)) {
      out.write(data);
    }
    try (InputStream in =
        ZstdStreams.decompressing(new ByteArrayInputStream(compressed.toByteArray()))) {
      assertArrayEquals(data, in.readAllBytes());
    }
  }
}
