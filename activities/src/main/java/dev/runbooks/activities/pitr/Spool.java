package dev.runbooks.activities.pitr;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * The worker's local directory {@code pg_receivewal} writes into: emptied at each session's start
 * (the slot holds on the primary whatever the archive lacks, so nothing here is the only copy of
 * anything) and seeded so that {@code pg_receivewal} starts where the archive ends.
 *
 * <p>{@code pg_receivewal} starts after the highest complete segment in its directory, or at the
 * start of the highest partial one; it never reads their contents. A seed is therefore an empty
 * (sparse) file of the segment's size with the right name: a complete one when the archive ends at
 * a segment boundary, a {@code .partial} one when it ends inside a segment (which is then streamed
 * again from its start, overwriting the placeholder).
 */
final class Spool {
  private final Path dir;

  Spool(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** Removes everything in the spool and makes it anew, owner-only. */
  void reset() throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
    Files.createDirectories(dir);
  }

  /**
   * Seeds the spool so {@code pg_receivewal} starts streaming at {@code lsn} (rounded down to its
   * segment's start unless it is a boundary) on {@code timeline}.
   *
   * @return the seed's name (never shipped)
   */
  String seed(int timeline, long lsn) throws IOException {
    WalSegment segment = WalSegment.containing(timeline, lsn);
    String name;
    if (lsn == segment.startLsn() && segment.segno() > 0) {
      name = new WalSegment(timeline, segment.segno() - 1).name();
    } else {
      name = segment.name() + ".partial";
    }
    try (RandomAccessFile file = new RandomAccessFile(dir.resolve(name).toFile(), "rw")) {
      file.setLength(WalSegment.SIZE);
    }
    return name;
  }

  /** The files in the spool now, sorted by name. */
  record Contents(List<Path> histories, List<Path> segments, List<Path> partials) {}

  Contents contents() throws IOException {
    List<Path> histories = new ArrayList<>();
    List<Path> segments = new ArrayList<>();
    List<Path> partials = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : files.sorted().toList()) {
        String name = p.getFileName().toString();
        if (WalFiles.isHistoryName(name)) {
          histories.add(p);
        } else if (WalSegment.isName(name)) {
          segments.add(p);
        } else if (name.endsWith(".partial")
            && WalSegment.isName(name.substring(0, name.length() - ".partial".length()))) {
          partials.add(p);
        }
      }
    }
    return new Contents(histories, segments, partials);
  }

  static WalSegment segmentOf(Path file) {
    String name = file.getFileName().toString();
    if (name.endsWith(".partial")) {
      name = name.substring(0, name.length() - ".partial".length());
    }
    return WalSegment.parse(name);
  }
}
