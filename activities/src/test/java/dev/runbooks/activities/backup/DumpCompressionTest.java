package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DumpCompressionTest {

  /** Something shaped like COPY text: compressible, with a marker in it. */
  private static byte[] archive() {
    StringBuilder b = new StringBuilder("PGDMP");
    for (int i = 0; i < 200_000; i++) {
      b.append(i).append('\t').append(i % 97).append("\tsecret_marker\n");
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] compress(DumpCompression compression, byte[] archive) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    try (OutputStream out = compression.compressing(sink)) {
      // In pieces, as pg_dump's output comes.
      for (int off = 0; off < archive.length; off += 65_536) {
        out.write(archive, off, Math.min(65_536, archive.length - off));
      }
    }
    return sink.toByteArray();
  }

  @Test
  void zstdRoundTripsAndShrinksTheArchive() throws IOException {
    byte[] archive = archive();
    byte[] compressed = compress(DumpCompression.ZSTD, archive);

    assertTrue(compressed.length < archive.length / 4, compressed.length + " bytes");
    assertFalse(new String(compressed, StandardCharsets.ISO_8859_1).contains("PGDMP"));
    try (InputStream in =
        DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(compressed))) {
      assertArrayEquals(archive, in.readAllBytes());
    }
  }

  @Test
  void pgDumpsOwnCompressionPassesTheArchiveThrough() throws IOException {
    byte[] archive = archive();
    assertArrayEquals(archive, compress(DumpCompression.PG_DUMP, archive));
    try (InputStream in =
        DumpCompression.PG_DUMP.decompressing(new ByteArrayInputStream(archive))) {
      assertArrayEquals(archive, in.readAllBytes());
    }
  }

  @Test
  void closingTheDecompressionLeavesItsSourceOpenForItsOwner() throws IOException {
    byte[] compressed = compress(DumpCompression.ZSTD, archive());
    boolean[] closed = {false};
    InputStream source =
        new FilterInputStream(new ByteArrayInputStream(compressed)) {
          @Override
          public void close() throws IOException {
            closed[0] = true;
            super.close();
          }
        };
    for (DumpCompression compression : DumpCompression.values()) {
      compression.decompressing(source).close();
      assertFalse(closed[0], compression + " closed its source");
    }
  }

  @Test
  void aTruncatedFrameIsAnErrorNotAShortArchive() throws IOException {
    byte[] compressed = compress(DumpCompression.ZSTD, archive());
    byte[] truncated = Arrays.copyOf(compressed, compressed.length - 7);
    try (InputStream in = DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(truncated))) {
      assertThrows(IOException.class, in::readAllBytes);
    }
  }

  @Test
  void aFlippedByteInTheFrameIsAnError() throws IOException {
    byte[] compressed = compress(DumpCompression.ZSTD, archive());
    compressed[compressed.length / 2] ^= 0x40;
    try (InputStream in =
        DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(compressed))) {
      assertThrows(IOException.class, in::readAllBytes);
    }
  }

  @Test
  void contextsAreReusedNotAllocatedPerStream() throws IOException {
    byte[] archive = archive();
    // Warm: one of each kind in the pool.
    byte[] compressed = compress(DumpCompression.ZSTD, archive);
    DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(compressed)).close();
    int idle = ZstdStreams.idleContexts();
    assertTrue(idle >= 2, idle + " idle");

    for (int i = 0; i < 5; i++) {
      byte[] again = compress(DumpCompression.ZSTD, archive);
      assertArrayEquals(compressed, again, "a reused context writes the same frame");
      try (InputStream in = DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(again))) {
        assertArrayEquals(archive, in.readAllBytes());
      }
    }
    assertEquals(idle, ZstdStreams.idleContexts());
  }

  @Test
  void aContextLeftMidFrameByAFailureStartsTheNextStreamClean() throws IOException {
    byte[] archive = archive();
    OutputStream failing =
        new OutputStream() {
          private int writes;

          @Override
          public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
          }

          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            if (++writes > 2) {
              throw new IOException("disk full");
            }
          }
        };
    OutputStream broken = DumpCompression.ZSTD.compressing(failing);
    assertThrows(
        IOException.class,
        () -> {
          for (int i = 0; i < 100; i++) {
            broken.write(archive, 0, archive.length);
          }
        });
    assertThrows(IOException.class, broken::close);

    byte[] compressed = compress(DumpCompression.ZSTD, archive);
    try (InputStream in =
        DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(compressed))) {
      assertArrayEquals(archive, in.readAllBytes());
    }
  }

  @Test
  void flushPushesOutWhatWasWrittenSoFar() throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream();
    byte[] line = "1\t2\tthree\n".getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = DumpCompression.ZSTD.compressing(sink)) {
      out.write(line);
      out.flush();
      try (InputStream partial =
          DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(sink.toByteArray()))) {
        byte[] got = new byte[line.length];
        int n = 0;
        while (n < got.length) {
          int r = partial.read(got, n, got.length - n);
          assertTrue(r > 0, "the flushed bytes should decompress");
          n += r;
        }
        assertArrayEquals(line, got);
      }
      out.write(line);
    }
    try (InputStream in =
        DumpCompression.ZSTD.decompressing(new ByteArrayInputStream(sink.toByteArray()))) {
      int b;
      ByteArrayOutputStream oneByOne = new ByteArrayOutputStream();
      while ((b = in.read()) >= 0) {
        oneByOne.write(b);
      }
      assertEquals(new String(line, StandardCharsets.UTF_8).repeat(2), oneByOne.toString());
    }
  }

  @Test
  void pgDumpIsToldNotToCompressOnlyWhenTheWorkerDoes() {
    assertEquals(List.of("--compress=0"), DumpCompression.ZSTD.pgDumpArguments());
    assertEquals(List.of(), DumpCompression.PG_DUMP.pgDumpArguments());
  }

  @Test
  void namesAreThoseOfTheManifest() {
    for (DumpCompression compression : DumpCompression.values()) {
      assertEquals(compression, DumpCompression.named(compression.manifestName()));
    }
  }

  @Test
  void theNativeLibraryLoadsHere() {
    assertEquals(Optional.empty(), DumpCompression.loadZstd());
  }
}
