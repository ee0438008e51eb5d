package dev.runbooks.activities.backup;

import dev.runbooks.workflows.backup.RetentionPolicy;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.IsoFields;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Which backups a {@link RetentionPolicy} keeps, as pure selection: no repository, no clock.
 *
 * <ul>
 *   <li>keep-last N: the N newest backups.
 *   <li>keep-daily D: the newest backup of each of the D newest UTC days that have backups.
 *   <li>keep-weekly W: the newest backup of each of the W newest ISO weeks (UTC) that have backups.
 * </ul>
 *
 * Days and weeks count those with backups, not calendar days back from now, so a pause in backups
 * never makes retention delete what is left. A backup any rule keeps is kept, and so are always the
 * newest verified backup (its drill passed), every protected one (the backup just taken, backups a
 * running migration references) and every one whose failed verdict did not come from a restore.
 */
public final class Retention {
  /**
   * A complete backup: when it started and whether its latest drill passed.
   *
   * @param unproven its latest verdict failed but may not have come from a restore (see {@link
   *     DrillVerdict#restored()}): kept, since nothing shows the backup is bad
   */
  public record Candidate(String id, Instant startedAt, boolean verified, boolean unproven) {
    public Candidate {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(startedAt, "startedAt");
    }

    public Candidate(String id, Instant startedAt, boolean verified) {
      this(id, startedAt, verified, false);
    }
  }

  /**
   * @param kept id to the rules that keep it, newest first
   * @param deleted what no rule keeps, newest first
   */
  public record Decision(Map<String, List<String>> kept, List<String> deleted) {
    public Decision {
      kept = Collections.unmodifiableMap(new LinkedHashMap<>(kept));
      deleted = List.copyOf(deleted);
    }
  }

  /** Newest first; among backups started at the same instant, the greater id first. */
  static final Comparator<Candidate> NEWEST_FIRST =
      Comparator.comparing(Candidate::startedAt).thenComparing(Candidate::id).reversed();

  private Retention() {}

  public static Decision select(
      Collection<Candidate> backups, RetentionPolicy policy, Set<String> protectedIds) {
    Objects.requireNonNull(policy, "policy");
    List<Candidate> newestFirst = new ArrayList<>(backups);
    newestFirst.sort(NEWEST_FIRST);

    Map<String, List<String>> reasons = new LinkedHashMap<>();
    for (Candidate c : newestFirst) {
      reasons.put(c.id(), new ArrayList<>());
    }
    String keepLast =
        policy.keepLast() == Integer.MAX_VALUE
            ? "keep everything"
            : "keep-last " + policy.keepLast();
    for (int i = 0; i < Math.min(policy.keepLast(), newestFirst.size()); i++) {
      reasons.get(newestFirst.get(i).id()).add(keepLast);
    }
    Set<String> days = new HashSet<>();
    Set<String> weeks = new HashSet<>();
    for (Candidate c : newestFirst) {
      LocalDate day = LocalDate.ofInstant(c.startedAt(), ZoneOffset.UTC);
      String dayName = day.toString();
      if (days.size() < policy.keepDaily() && days.add(dayName)) {
        reasons.get(c.id()).add("keep-daily " + dayName);
      }
      String weekName =
          String.format(
              "%d-W%02d",
              day.get(IsoFields.WEEK_BASED_YEAR), day.get(IsoFields.WEEK_OF_WEEK_BASED_YEAR));
      if (weeks.size() < policy.keepWeekly() && weeks.add(weekName)) {
        reasons.get(c.id()).add("keep-weekly " + weekName);
      }
    }
    newestFirst.stream()
        .filter(Candidate::verified)
        .findFirst()
        .ifPresent(c -> reasons.get(c.id()).add("newest verified"));
    for (Candidate c : newestFirst) {
      if (protectedIds.contains(c.id())) {
        reasons.get(c.id()).add("protected");
      }
      if (c.unproven()) {
        reasons.get(c.id()).add("last verdict not from a restore");
      }
    }

    Map<String, List<String>> kept = new LinkedHashMap<>();
    List<String> deleted = new ArrayList<>();
    for (Candidate c : newestFirst) {
      List<String> why = reasons.get(c.id());
      if (why.isEmpty()) {
        deleted.add(c.id());
      } else {
        kept.put(c.id(), List.copyOf(why));
      }
    }
    return new Decision(kept, deleted);
  }
}
