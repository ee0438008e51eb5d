package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.shared.FailureType;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Picks what a point-in-time restore needs, from what the repository holds: the newest base backup
 * whose stop point is before the target, and the WAL from its start along the timelines: the
 * candidates to the archive's end, of which the first {@code initial} are fetched before recovery
 * starts (to the target's segment for an LSN or a restore point whose LSN is known; to the base
 * backup's end for a time or a restore point only named, whose segment {@link WalFetch} finds by
 * reading the WAL). Refuses a target outside the restorable window, saying what the window is.
 */
final class PitrPlanner {
  /**
   * What to restore.
   *
   * @param walFiles the WAL file names recovery may need, in the order it reads them: history files
   *     first, then the segments to the archive's end
   * @param initial how many of {@code walFiles} to fetch before recovery starts
   * @param scan whether the segments after those must be read to find the target's (a time, a
   *     restore point by name)
   */
  record Plan(
      BaseBackupManifest backup, List<String> walFiles, int initial, boolean scan, String window) {
    Plan {
      walFiles = List.copyOf(walFiles);
    }

    /** How many WAL files the restore fetches: exactly, or at most when it must scan. */
    int toFetch() {
      return scan ? walFiles.size() : initial;
    }
  }

  /** The archive's state a plan is made from. */
  record Archive(WalInventory inventory, Instant endTime) {}

  private PitrPlanner() {}

  /**
   * @param backups the target's complete base backups, any order
   * @param now the worker's clock: a time after it is in the future
   * @param lsnHint where a restore point lies, or -1
   */
  static Plan plan(
      String target,
      List<BaseBackupManifest> backups,
      Archive archive,
      PitrTarget to,
      long lsnHint,
      Instant now) {
    List<BaseBackupManifest> restorable = new ArrayList<>();
    for (BaseBackupManifest b : backups) {
      if (reach(archive.inventory(), b).isPresent()) {
        restorable.add(b);
      }
    }
    restorable.sort(Comparator.comparing((BaseBackupManifest b) -> lsn(b.stopLsn())));
    if (restorable.isEmpty()) {
      throw refuse(
          "target "
              + target
              + " has no restorable physical base backup ("
              + backups.size()
              + " complete, none with its WAL in the archive, which holds "
              + archive.inventory().describe()
              + "). Take one with 'runbook backup --target "
              + target
              + " --type physical' while the archiver runs");
    }
    BaseBackupManifest earliest = restorable.get(0);
    BaseBackupManifest newest = restorable.get(restorable.size() - 1);
    long end = reach(archive.inventory(), newest).getAsLong();
    String window =
        WalSegment.formatLsn(lsn(earliest.stopLsn()))
            + " ("
            + earliest.finishedAt()
            + ", end of base backup "
            + earliest.id()
            + ") to "
            + WalSegment.formatLsn(end)
            + " ("
            + (archive.endTime() == null ? "time unknown" : "archived " + archive.endTime())
            + ")";
    String refused = "the restore of target " + target + " to " + to.describe() + " is refused: ";
    BaseBackupManifest chosen;
    // Where the WAL fetched before recovery must reach: the chosen backup's end at least.
    long known = -1;
    switch (to.kind()) {
      case TIME -> {
        Instant t = Instant.parse(to.value());
        if (t.isBefore(earliest.finishedAt())) {
          throw refuse(refused + "it is before the earliest restorable point. " + windowIs(window));
        }
        if (t.isAfter(now)) {
          throw refuse(refused + "it is in the future (now " + now + "). " + windowIs(window));
        }
        if (archive.endTime() == null || t.isAfter(archive.endTime())) {
          throw refuse(refused + "it is past the archive's end. " + windowIs(window));
        }
        chosen = newestMatching(restorable, b -> !b.finishedAt().isAfter(t));
      }
      case LSN -> {
        long l = WalSegment.parseLsn(to.value());
        if (l < lsn(earliest.stopLsn())) {
          throw refuse(refused + "it is before the earliest restorable point. " + windowIs(window));
        }
        if (l > end) {
          throw refuse(
              refused
                  + "it is past the archive's end"
                  + missing(archive.inventory(), newest, end)
                  + ". "
                  + windowIs(window));
        }
        chosen = newestMatching(restorable, b -> lsn(b.stopLsn()) <= l);
        known = l;
      }
      case RESTORE_POINT -> {
        chosen =
            lsnHint < 0 ? newest : newestMatching(restorable, b -> lsn(b.stopLsn()) <= lsnHint);
        known = lsnHint;
      }
      case LATEST -> {
        chosen = newest;
        known = end;
      }
      default -> throw new IllegalArgumentException("unknown target kind " + to.kind());
    }
    List<String> candidates = walFiles(archive.inventory(), chosen, end);
    long first = Math.max(known, lsn(chosen.stopLsn()));
    int initial = walFiles(archive.inventory(), chosen, Math.min(end, first + 1)).size();
    return new Plan(chosen, candidates, initial, known < 0, window);
  }

  private static String windowIs(String window) {
    return "The restorable window is " + window + ": choose a point inside it";
  }

  /** Where the archive's WAL ends for the newest backup, and the segment missing there. */
  private static String missing(WalInventory inventory, BaseBackupManifest newest, long end) {
    Optional<WalInventory.TimelineWal> latest = inventory.latest();
    if (latest.isPresent() && latest.get().endLsn() > end) {
      WalSegment hole = WalSegment.containing(latest.get().timeline(), end);
      return " (the WAL object "
          + hole.name()
          + " is missing from the archive: the window ends at the gap)";
    }
    return "";
  }

  private static BaseBackupManifest newestMatching(
      List<BaseBackupManifest> oldestFirst, java.util.function.Predicate<BaseBackupManifest> ok) {
    for (int i = oldestFirst.size() - 1; i >= 0; i--) {
      if (ok.test(oldestFirst.get(i))) {
        return oldestFirst.get(i);
      }
    }
    return oldestFirst.get(0);
  }

  /** How far recovery from {@code b} can go, if the archive holds its WAL to its stop point. */
  static OptionalLong reach(WalInventory inventory, BaseBackupManifest b) {
    OptionalLong end = inventory.contiguousEnd(b.timeline(), lsn(b.startLsn()));
    return end.isPresent() && end.getAsLong() >= lsn(b.stopLsn()) ? end : OptionalLong.empty();
  }

  /**
   * The history files, then the segments from the backup's start to {@code end}, following the
   * timelines that branched after it as {@code recovery_target_timeline = 'latest'} does (the
   * segment holding a switch point from both timelines).
   */
  static List<String> walFiles(WalInventory inventory, BaseBackupManifest b, long end) {
    List<String> files = new ArrayList<>();
    inventory.switchPoints().keySet().stream()
        .sorted()
        .forEach(t -> files.add(WalArchive.historyName(t)));
    int timeline = b.timeline();
    long position = lsn(b.startLsn());
    while (true) {
      final int current = timeline;
      final long from = position;
      Optional<WalInventory.SwitchPoint> child =
          inventory.switchPoints().values().stream()
              .filter(s -> s.parent() == current && s.lsn() >= from)
              .max(Comparator.comparingInt(WalInventory.SwitchPoint::timeline));
      long last = child.isPresent() && child.get().lsn() < end ? child.get().lsn() : end - 1;
      for (long segno = position / WalSegment.SIZE; segno <= last / WalSegment.SIZE; segno++) {
        files.add(new WalSegment(current, segno).name());
      }
      if (child.isEmpty() || child.get().lsn() >= end) {
        return files;
      }
      timeline = child.get().timeline();
      position = child.get().lsn();
    }
  }

  static long lsn(String text) {
    return WalSegment.parseLsn(text);
  }

  private static PermanentBackupException refuse(String message) {
    return new PermanentBackupException(FailureType.BAD_INPUT, message);
  }
}
