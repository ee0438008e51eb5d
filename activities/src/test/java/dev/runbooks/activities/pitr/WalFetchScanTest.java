package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The byte search that spares pg_waldump the segments a restore point's name is not in. */
class WalFetchScanTest {
  @TempDir Path dir;

  @Test
  void findsANameAnywhereInASegmentAlsoAcrossItsMegabyteReads() throws Exception {
    byte[] name = "before_the_delete".getBytes(StandardCharsets.UTF_8);
    int segment = 16 << 20;
    for (int at : new int[] {0, 4096, (1 << 20) - 5, (3 << 20) - 1, segment - name.length}) {
      byte[] wal = new byte[segment];
      System.arraycopy(name, 0, wal, at, name.length);
      Path file = Files.write(dir.resolve("000000010000000000000003"), wal);
      assertTrue(WalFetch.contains(file, name), "the name at byte " + at);
    }
    byte[] almost = new byte[segment];
    System.arraycopy(name, 0, almost, (1 << 20) - 5, name.length - 1);
    Path file = Files.write(dir.resolve("000000010000000000000004"), almost);
    assertFalse(WalFetch.contains(file, name), "all of the name but its last byte");
  }
}
