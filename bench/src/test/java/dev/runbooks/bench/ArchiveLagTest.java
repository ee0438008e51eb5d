package dev.runbooks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbooks.bench.ArchiveLag.Sample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ArchiveLagTest {
  private static final long MB = 1 << 20;
  private static final long PERIOD = ArchiveLag.PERIOD_MILLIS * 1_000_000;

  /**
   * The primary writes 1 MB per sampling period; the archive holds what it had {@code behind} ago.
   */
  private static List<Sample> steady(int count, int behind) {
    List<Sample> samples = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      samples.add(new Sample(i * PERIOD, (i + 1) * MB, Math.max(0, i + 1 - behind) * MB));
    }
    return samples;
  }

  @Test
  void theLagInTimeCountsFromTheLastSampleTheArchiveHadReachedNeverUnderstatingIt() {
    // Each sample's archive ends where the primary was 5 samples (0.5 s) earlier: the WAL after it
    // was written after that sample, so up to 0.5 s ago, not 0.4 s (the sample after it).
    ArchiveLag.Summary s = ArchiveLag.summarize(steady(50, 5), 10 * MB);
    assertEquals(0.5, s.timeSecondsP99(), 1e-9);
    assertEquals(0.5, s.timeSecondsMax(), 1e-9);
    // 5 MB behind at 10 MB/s is the same 0.5 s of WAL.
    assertEquals(0.5, s.walSecondsP99(), 1e-9);
  }

  @Test
  void anArchiveThatHoldsEverythingIsNotBehind() {
    ArchiveLag.Summary s = ArchiveLag.summarize(steady(20, 0), 10 * MB);
    assertEquals(0, s.timeSecondsMax(), 1e-9);
    assertEquals(0, s.maxBytes());
  }
}
