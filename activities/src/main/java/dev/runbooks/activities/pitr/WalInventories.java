package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/** Reads a {@link WalInventory} from a repository's listing of a target's WAL. */
final class WalInventories {
  private WalInventories() {}

  static WalInventory read(WalArchive archive, BackupRepository repository, String target)
      throws IOException {
    String prefix = WalArchive.prefix(target);
    Map<Integer, TreeSet<Long>> complete = new TreeMap<>();
    Map<Integer, List<WalSegment>> partials = new TreeMap<>();
    List<Integer> histories = new ArrayList<>();
    for (String key : repository.list(prefix)) {
      String rest = key.substring(prefix.length());
      if (WalFiles.isHistoryName(rest)) {
        histories.add(WalFiles.historyTimeline(rest));
        continue;
      }
      int slash = rest.indexOf('/');
      if (slash != 8) {
        continue;
      }
      String name = rest.substring(slash + 1);
      boolean partial = name.endsWith(".partial");
      if (partial) {
        name = name.substring(0, name.length() - ".partial".length());
      }
      if (!WalSegment.isName(name) || !name.startsWith(rest.substring(0, 8))) {
        continue;
      }
      WalSegment segment = WalSegment.parse(name);
      if (partial) {
        partials.computeIfAbsent(segment.timeline(), t -> new ArrayList<>()).add(segment);
      } else {
        complete.computeIfAbsent(segment.timeline(), t -> new TreeSet<>()).add(segment.segno());
      }
    }
    TreeSet<Integer> timelines = new TreeSet<>(complete.keySet());
    timelines.addAll(partials.keySet());
    List<WalInventory.TimelineWal> result = new ArrayList<>();
    for (int timeline : timelines) {
      TreeSet<Long> segnos = complete.getOrDefault(timeline, new TreeSet<>());
      List<WalInventory.Partial> parts = new ArrayList<>();
      for (WalSegment p : partials.getOrDefault(timeline, List.of())) {
        if (segnos.contains(p.segno())) {
          continue; // complete now; the partial is a leftover about to be deleted
        }
        try {
          parts.add(
              new WalInventory.Partial(
                  p, archive.header(WalArchive.partialKey(target, p)).endLsn()));
        } catch (ObjectNotFoundException gone) {
          // Listed, then deleted: the archiver committed the complete segment meanwhile.
          if (repository.exists(WalArchive.segmentKey(target, p))) {
            segnos.add(p.segno());
          }
        }
      }
      result.add(new WalInventory.TimelineWal(timeline, runs(segnos), parts, segnos.size()));
    }
    Map<Integer, WalInventory.SwitchPoint> switches = new HashMap<>();
    for (int timeline : histories) {
      switchPoint(archive, timeline).ifPresent(s -> switches.put(timeline, s));
    }
    return new WalInventory(result, switches);
  }

  private static List<WalInventory.Run> runs(TreeSet<Long> segnos) {
    List<WalInventory.Run> runs = new ArrayList<>();
    long first = -1;
    long last = -1;
    for (long segno : segnos) {
      if (first >= 0 && segno == last + 1) {
        last = segno;
        continue;
      }
      if (first >= 0) {
        runs.add(new WalInventory.Run(first, last));
      }
      first = segno;
      last = segno;
    }
    if (first >= 0) {
      runs.add(new WalInventory.Run(first, last));
    }
    return runs;
  }

  private static java.util.Optional<WalInventory.SwitchPoint> switchPoint(
      WalArchive archive, int timeline) throws IOException {
    Path temp = Files.createTempFile("runbooks-history", ".history");
    try {
      archive.fetch(WalArchive.historyName(timeline), temp);
      String text = Files.readString(temp, StandardCharsets.UTF_8);
      return WalFiles.branch(text)
          .map(e -> new WalInventory.SwitchPoint(timeline, e.parent(), e.switchLsn()));
    } catch (IllegalArgumentException e) {
      throw new CorruptedBackupException(
          "the timeline history file "
              + WalArchive.historyName(timeline)
              + " in "
              + archive.describe()
              + " is not a history file: "
              + e.getMessage(),
          e);
    } finally {
      Files.deleteIfExists(temp);
    }
  }
}
