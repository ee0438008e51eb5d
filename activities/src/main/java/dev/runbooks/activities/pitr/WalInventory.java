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

  /** WAL positions {@code [fromLsn, toLsn)}. */
  public record Span(long fromLsn, long toLsn) {}

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

    /**
     * The stretches of WAL held without a hole, lowest first: complete segments and partial ones
     * (up to their valid end) merged where they touch.
     */
    public List<Span> spans() {
      List<Span> pieces = new java.util.ArrayList<>();
      for (Run run : runs) {
        pieces.add(new Span(run.startLsn(), run.endLsn()));
      }
      for (Partial p : partials) {
        pieces.add(new Span(p.segment().startLsn(), p.endLsn()));
      }
      pieces.sort(Comparator.comparingLong(Span::fromLsn));
      List<Span> merged = new java.util.ArrayList<>();
      for (Span piece : pieces) {
        Span last = merged.isEmpty() ? null : merged.get(merged.size() - 1);
        if (last != null && piece.fromLsn() <= last.toLsn()) {
          merged.set(
              merged.size() - 1, new Span(last.fromLsn(), Math.max(last.toLsn(), piece.toLsn())));
        } else {
          merged.add(piece);
        }
      }
      return merged;
    }

    /** The holes between {@link #spans()}: WAL this timeline had that the archive lacks. */
    public List<Span> gaps() {
      List<Span> spans = spans();
      List<Span> gaps = new java.util.ArrayList<>();
      for (int i = 1; i < spans.size(); i++) {
        gaps.add(new Span(spans.get(i - 1).toLsn(), spans.get(i).fromLsn()));
      }
      return gaps;
    }

    /** The first LSN stored on this timeline. */
    public long startLsn() {
      List<Span> spans = spans();
      return spans.isEmpty() ? Long.MAX_VALUE : spans.get(0).fromLsn();
    }

    /**
     * How far WAL is held without a hole from {@code fromLsn}: the end of the span holding it;
     * empty when {@code fromLsn} is not held.
     */
    public OptionalLong endFrom(long fromLsn) {
      for (Span span : spans()) {
        if (span.fromLsn() <= fromLsn && fromLsn < span.toLsn()) {
          return OptionalLong.of(span.toLsn());
        }
      }
      return OptionalLong.empty();
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
      for (Span gap : t.gaps()) {
        text.append(", gap ")
            .append(WalSegment.formatLsn(gap.fromLsn()))
            .append("-")
            .append(WalSegment.formatLsn(gap.toLsn()));
      }
    }
    return text.toString();
  }

  static WalInventory empty() {
    return new WalInventory(List.of(), Map.of());
  }
}
