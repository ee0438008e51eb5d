package dev.runbooks.activities.pitr;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves what {@code pg_receivewal} wrote from the spool into the archive, one pass at a time:
 * history files, then complete segments (each deleted locally once committed), then the partial
 * segment up to the position the primary says the receiver has flushed. A pass that fails leaves
 * the spool as it was, for the next one.
 */
final class Shipper {
  private static final Logger log = LoggerFactory.getLogger(Shipper.class);

  /** Where the primary says the receiver has flushed to. */
  @FunctionalInterface
  interface Flushed {
    OptionalLong get() throws SQLException;
  }

  private final WalArchive archive;
  private final Spool spool;
  private final Set<String> seeds = new HashSet<>();
  private final Set<String> historiesShipped = new HashSet<>();
  private long archivedTo;
  private int timeline;
  private long segments;

  Shipper(WalArchive archive, Spool spool, int timeline, long archivedTo) {
    this.archive = archive;
    this.spool = spool;
    this.timeline = timeline;
    this.archivedTo = archivedTo;
  }

  /** A seed file (a placeholder that only positions pg_receivewal): never shipped. */
  void seeded(String name) {
    seeds.add(name);
  }

  long archivedTo() {
    return archivedTo;
  }

  int timeline() {
    return timeline;
  }

  long segments() {
    return segments;
  }

  /** One pass; returns the archive's end after it. */
  long ship(Flushed flushed) throws IOException, SQLException {
    Spool.Contents contents = spool.contents();
    for (Path history : contents.histories()) {
      String name = history.getFileName().toString();
      if (!historiesShipped.contains(name)) {
        archive.storeHistory(history);
        historiesShipped.add(name);
      }
    }
    for (Path file : contents.segments()) {
      String name = file.getFileName().toString();
      if (seeds.contains(name)) {
        continue;
      }
      WalSegment segment = WalSegment.parse(name);
      if (archive.storeSegment(file).written()) {
        segments++;
      }
      Files.delete(file);
      reached(segment.timeline(), segment.endLsn());
    }
    List<Path> partials = contents.partials();
    for (int i = 0; i < partials.size(); i++) {
      Path file = partials.get(i);
      WalSegment segment = Spool.segmentOf(file);
      boolean newest = i == partials.size() - 1;
      OptionalLong end = newest ? flushed.get() : leftAt(contents, segment.timeline());
      if (end.isEmpty() || end.getAsLong() <= segment.startLsn()) {
        continue;
      }
      long valid = Math.min(end.getAsLong(), segment.endLsn());
      try {
        archive.storePartial(file, segment, valid);
      } catch (NoSuchFileException renamed) {
        continue; // completed meanwhile: the next pass ships the complete segment
      }
      reached(segment.timeline(), valid);
      if (!newest) {
        Files.delete(file); // a timeline's last segment, left at the switch: final
      }
    }
    return archivedTo;
  }

  private void reached(int segmentTimeline, long lsn) {
    if (lsn > archivedTo) {
      archivedTo = lsn;
    }
    if (segmentTimeline > timeline) {
      timeline = segmentTimeline;
    }
  }

  /** Where {@code left} was left for a newer timeline, read from the spool's history files. */
  private static OptionalLong leftAt(Spool.Contents contents, int left) throws IOException {
    for (Path history : contents.histories()) {
      try {
        var branch = WalFiles.branch(Files.readString(history, StandardCharsets.UTF_8));
        if (branch.isPresent() && branch.get().parent() == left) {
          return OptionalLong.of(branch.get().switchLsn());
        }
      } catch (IllegalArgumentException e) {
        log.warn("history file {} is not readable: {}", history, e.getMessage());
      }
    }
    return OptionalLong.empty();
  }
}
