package dev.runbooks.activities.pitr;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One WAL segment file of a timeline: {@code 000000010000000A000000FF} is timeline 1, segment
 * number 0xA * 256 + 0xFF. Segments are {@value #SIZE} bytes, PostgreSQL's default; a cluster
 * initialised with another {@code --wal-segsize} is refused where its files are read.
 */
public record WalSegment(int timeline, long segno) implements Comparable<WalSegment> {
  /** Bytes in a segment (PostgreSQL's default {@code wal_segment_size}). */
  public static final long SIZE = 16L * 1024 * 1024;

  private static final long SEGMENTS_PER_XLOGID = 0x1_0000_0000L / SIZE;
  private static final Pattern NAME = Pattern.compile("[0-9A-F]{24}");

  public WalSegment {
    if (timeline < 1) {
      throw new IllegalArgumentException("expected a timeline of 1 or more, found " + timeline);
    }
    if (segno < 0) {
      throw new IllegalArgumentException("expected a segment number >= 0, found " + segno);
    }
  }

  /** True for a segment file's name (24 upper-case hex digits, no suffix). */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** The segment a file name such as {@code 000000010000000000000003} names. */
  public static WalSegment parse(String name) {
    if (!isName(name)) {
      throw new IllegalArgumentException(
          "expected a WAL segment name of 24 upper-case hex digits (000000010000000000000003),"
              + " found "
              + name);
    }
    int timeline = Integer.parseUnsignedInt(name.substring(0, 8), 16);
    long xlogid = Long.parseLong(name.substring(8, 16), 16);
    long seg = Long.parseLong(name.substring(16, 24), 16);
    if (seg >= SEGMENTS_PER_XLOGID) {
      throw new IllegalArgumentException(
          "WAL segment name " + name + " is not one of " + SIZE + "-byte segments");
    }
    return new WalSegment(timeline, xlogid * SEGMENTS_PER_XLOGID + seg);
  }

  /** The segment of {@code timeline} that holds the byte at {@code lsn}. */
  public static WalSegment containing(int timeline, long lsn) {
    return new WalSegment(timeline, Long.divideUnsigned(lsn, SIZE));
  }

  public String name() {
    return String.format(
        Locale.ROOT,
        "%08X%08X%08X",
        timeline,
        segno / SEGMENTS_PER_XLOGID,
        segno % SEGMENTS_PER_XLOGID);
  }

  /** The LSN of this segment's first byte. */
  public long startLsn() {
    return segno * SIZE;
  }

  /** The LSN just past this segment's last byte. */
  public long endLsn() {
    return (segno + 1) * SIZE;
  }

  public WalSegment next() {
    return new WalSegment(timeline, segno + 1);
  }

  /** The same segment number on another timeline. */
  public WalSegment onTimeline(int other) {
    return new WalSegment(other, segno);
  }

  /** A timeline as PostgreSQL names it in files: 8 upper-case hex digits. */
  public static String timelineName(int timeline) {
    return String.format(Locale.ROOT, "%08X", timeline);
  }

  /** {@code 0/3000148}, as PostgreSQL prints an LSN. */
  public static String formatLsn(long lsn) {
    return String.format(Locale.ROOT, "%X/%X", lsn >>> 32, lsn & 0xFFFF_FFFFL);
  }

  /** The position of {@code X/Y}. */
  public static long parseLsn(String lsn) {
    int slash = lsn == null ? -1 : lsn.indexOf('/');
    if (slash <= 0 || slash == lsn.length() - 1) {
      throw new IllegalArgumentException("expected a WAL position like 0/3000148, found " + lsn);
    }
    try {
      return (Long.parseLong(lsn.substring(0, slash), 16) << 32)
          | Long.parseLong(lsn.substring(slash + 1), 16);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("expected a WAL position like 0/3000148, found " + lsn, e);
    }
  }

  @Override
  public int compareTo(WalSegment o) {
    int c = Integer.compare(timeline, o.timeline);
    return c != 0 ? c : Long.compare(segno, o.segno);
  }

  @Override
  public String toString() {
    return name();
  }
}
