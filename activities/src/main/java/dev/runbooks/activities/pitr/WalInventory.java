package dev.runbooks.activities.pitr;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a target's WAL archive holds, read by {@link WalArchive#inventory()}: per timeline the runs
 * of complete segments (a hole between two runs is a gap), the partial segment, and the switch
 * points the history files record.
 *
 * @param timelines every timeline with WAL stored, lowest first
 * @param switchPoints for each timeline with a history file: where it branched from its parent
 */
public record WalInventory(List<TimelineWal> timelines, Map<Integer, SwitchPoint> switchPoints) {
  public WalInventory {
    timelines = List.copyOf(timelines);
    switchPoints = Map.copyOf(switchPoints);
  }

  /** Where {@code timeline} began: it branched from {@code parent} at {@code lsn}. */
  public record SwitchPoint(int timeline, int parent, long lsn) {}

  /** Complete segments {@code first..last} of one timeline, none missing between. */
  public record Run(long firstSegno, long lastSegno) {
    public long startLsn() {
      return firstSegno * WalSegment.SIZE;
    }

    public long endLsn() {
      return (lastSegno + 1) * WalSegment.SIZE;
    }
  }

  /** A partial segment: valid up to {@code endLsn}. */
  public record Partial(WalSegment segment, long endLsn) {}

  /**
   * One timeline's WAL.
   *
   * @param runs contiguous runs of complete segments, lowest first; two runs mean a gap
   * @param partials the partial segments, lowest first (the last one is the segment being written;
   *     earlier ones end where the timeline was left for the next)
   */
  public record TimelineWal(int timeline, List<Run> runs, List<Partial> partials, long segments) {
    public TimelineWal {
      runs = List.copyOf(runs);
      partials = List.copyOf(partials);
    }

    /** The highest complete segment, if any. */
    public Optional<WalSegment> lastComplete() {
      return runs.isEmpty()
          ? Optional.empty()
          : Optional.of(new WalSegment(timeline, runs.get(runs.size() - 1).lastSegno()));
    }

    /** The missing stretches between runs: [first missing segno, first segno held again). */
    public List<Run> gaps() {
      List<Run> gaps = new java.util.ArrayList<>();
      for (int i = 1; i < runs.size(); i++) {
        gaps.add(new Run(runs.get(i - 1).lastSegno() + 1, runs.get(i).firstSegno() - 1));
      }
      return gaps;
    }

    /** The first LSN stored on this timeline. */
    public long startLsn() {
      long start = Long.MAX_VALUE;
      if (!runs.isEmpty()) {
        start = runs.get(0).startLsn();
      }
      for (Partial p : partials) {
        start = Math.min(start, p.segment().startLsn());
      }
      return start;
    }

    /**
     * How far WAL is held without a hole from {@code fromLsn}: the end of the run holding it,
     * extended by a partial segment right after the run; empty when {@code fromLsn} is not held.
     */
    public OptionalLong endFrom(long fromLsn) {
      long segno = Long.divideUnsigned(fromLsn, WalSegment.SIZE);
      long end = -1;
      for (Run run : runs) {
        if (run.firstSegno() <= segno && segno <= run.lastSegno()) {
          end = run.endLsn();
          segno = run.lastSegno() + 1;
        }
      }
      for (Partial p : partials) {
        if (p.segment().segno() == segno && p.endLsn() > Math.max(end, fromLsn - 1)) {
          end = p.endLsn();
        }
      }
      return end < fromLsn ? OptionalLong.empty() : OptionalLong.of(end);
    }

    /** The end of the newest WAL on this timeline (a partial's end or a complete segment's). */
    public long endLsn() {
      long end = runs.isEmpty() ? 0 : runs.get(runs.size() - 1).endLsn();
      for (Partial p : partials) {
        end = Math.max(end, p.endLsn());
      }
      return end;
    }
  }

  public Optional<TimelineWal> timeline(int timeline) {
    return timelines.stream().filter(t -> t.timeline() == timeline).findFirst();
  }

  /** The highest timeline with WAL stored. */
  public Optional<TimelineWal> latest() {
    return timelines.stream().max(Comparator.comparingInt(TimelineWal::timeline));
  }

  public boolean isEmpty() {
    return timelines.isEmpty();
  }

  /**
   * How far a recovery that starts at {@code fromLsn} on {@code timeline} can replay from this
   * archive without a hole, following timeline switches to the highest timeline that branched from
   * the one being replayed (as {@code recovery_target_timeline = 'latest'} does): the segment
   * holding a switch point is read from the new timeline, as PostgreSQL does. Empty when the
   * archive does not hold {@code fromLsn} at all.
   *
   * <p>A base backup that started at {@code fromLsn} is restorable up to this point; a base backup
   * whose stop LSN is past it is not restorable (yet).
   */
  public OptionalLong contiguousEnd(int timeline, long fromLsn) {
    int current = timeline;
    long position = fromLsn;
    OptionalLong reached = OptionalLong.empty();
    while (true) {
      Optional<TimelineWal> wal = timeline(current);
      OptionalLong end = wal.isPresent() ? wal.get().endFrom(position) : OptionalLong.empty();
      Optional<SwitchPoint> child = childOf(current, position);
      if (child.isEmpty()) {
        return end.isPresent() ? end : reached;
      }
      long switchSegmentStart = WalSegment.containing(current, child.get().lsn()).startLsn();
      boolean heldToSwitch =
          switchSegmentStart <= position
              || (end.isPresent() && end.getAsLong() >= switchSegmentStart);
      if (!heldToSwitch) {
        return end.isPresent() ? end : reached;
      }
      reached = OptionalLong.of(Math.max(position, switchSegmentStart));
      current = child.get().timeline();
      position = Math.max(position, switchSegmentStart);
    }
  }

  /**
   * The end of the WAL a recovery can replay from the archive's newest contiguous stretch: from the
   * start of the newest run (after the last gap) on the timelines leading to the latest one.
   */
  public OptionalLong recoverableEnd() {
    Optional<TimelineWal> latest = latest();
    if (latest.isEmpty()) {
      return OptionalLong.empty();
    }
    return OptionalLong.of(latest.get().endLsn());
  }

  /** The highest timeline that branched from {@code parent} at or after {@code position}. */
  private Optional<SwitchPoint> childOf(int parent, long position) {
    return switchPoints.values().stream()
        .filter(s -> s.parent() == parent && s.lsn() >= position)
        .max(Comparator.comparingInt(SwitchPoint::timeline));
  }

  /** For messages: {@code timeline 1: 0/1000000-0/5000000, gap 0/3000000-0/4000000}. */
  public String describe() {
    if (timelines.isEmpty()) {
      return "no WAL archived";
    }
    StringBuilder text = new StringBuilder();
    for (TimelineWal t : timelines) {
      if (text.length() > 0) {
        text.append("; ");
      }
      text.append("timeline ")
          .append(t.timeline())
          .append(": ")
          .append(WalSegment.formatLsn(t.startLsn()))
          .append("-")
          .append(WalSegment.formatLsn(t.endLsn()));
      for (Run gap : t.gaps()) {
        text.append(", gap ")
            .append(WalSegment.formatLsn(gap.startLsn()))
            .append("-")
            .append(WalSegment.formatLsn(gap.endLsn()));
      }
    }
    return text.toString();
  }

  static WalInventory empty() {
    return new WalInventory(List.of(), Map.of());
  }
}
