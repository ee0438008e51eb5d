package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbooks.activities.backup.Retention.Candidate;
import dev.runbooks.activities.backup.Retention.Decision;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The retention rules as pure selection over dated backups. */
class RetentionTest {
  /** Backups of three weeks of November 2026, two a day on some days; 2026-11-23 is a Monday. */
  private static final List<Candidate> BACKUPS =
      List.of(
          backup("2026-11-24T14:00:00Z"), // Tue, week 48
          backup("2026-11-24T02:00:00Z"),
          backup("2026-11-23T02:00:00Z"), // Mon, week 48
          backup("2026-11-22T14:00:00Z"), // Sun, week 47
          backup("2026-11-22T02:00:00Z"),
          backup("2026-11-20T02:00:00Z"), // Fri, week 47
          backup("2026-11-15T02:00:00Z"), // Sun, week 46
          backup("2026-11-10T02:00:00Z"), // Tue, week 46
          backup("2026-11-02T02:00:00Z")); // Mon, week 45

  private static Candidate backup(String startedAt) {
    return backup(startedAt, false);
  }

  private static Candidate backup(String startedAt, boolean verified) {
    return new Candidate(id(startedAt), Instant.parse(startedAt), verified);
  }

  /** 2026-11-24T14:00:00Z to 20261124T140000Z-b. */
  private static String id(String startedAt) {
    return startedAt.replace("-", "").replace(":", "") + "-b";
  }

  private static List<String> ids(String... startedAt) {
    List<String> ids = new ArrayList<>();
    for (String s : startedAt) {
      ids.add(id(s));
    }
    return ids;
  }

  @Test
  void keepLastKeepsTheNewest() {
    Decision d = Retention.select(BACKUPS, new RetentionPolicy(2, 0, 0), Set.of());

    assertEquals(
        ids("2026-11-24T14:00:00Z", "2026-11-24T02:00:00Z"), List.copyOf(d.kept().keySet()));
    assertEquals(7, d.deleted().size());
    assertEquals(List.of("keep-last 2"), d.kept().get(id("2026-11-24T14:00:00Z")));
    // newest first
    assertEquals(id("2026-11-23T02:00:00Z"), d.deleted().get(0));
  }

  @Test
  void keepDailyKeepsTheNewestOfEachOfTheNewestDaysThatHaveBackups() {
    Decision d = Retention.select(BACKUPS, new RetentionPolicy(0, 4, 0), Set.of());

    assertEquals(
        ids(
            "2026-11-24T14:00:00Z",
            "2026-11-23T02:00:00Z",
            "2026-11-22T14:00:00Z",
            "2026-11-20T02:00:00Z"),
        List.copyOf(d.kept().keySet()));
    assertEquals(List.of("keep-daily 2026-11-22"), d.kept().get(id("2026-11-22T14:00:00Z")));
    assertEquals(
        ids(
            "2026-11-24T02:00:00Z",
            "2026-11-22T02:00:00Z",
            "2026-11-15T02:00:00Z",
            "2026-11-10T02:00:00Z",
            "2026-11-02T02:00:00Z"),
        d.deleted());
  }

  @Test
  void keepWeeklyKeepsTheNewestOfEachIsoWeek() {
    Decision d = Retention.select(BACKUPS, new RetentionPolicy(0, 0, 3), Set.of());

    assertEquals(
        Map.of(
            id("2026-11-24T14:00:00Z"), List.of("keep-weekly 2026-W48"),
            id("2026-11-22T14:00:00Z"), List.of("keep-weekly 2026-W47"),
            id("2026-11-15T02:00:00Z"), List.of("keep-weekly 2026-W46")),
        d.kept());
    assertEquals(6, d.deleted().size());
  }

  @Test
  void aBackupAnyRuleKeepsIsKeptWithEveryReason() {
    Decision d = Retention.select(BACKUPS, new RetentionPolicy(1, 2, 4), Set.of());

    assertEquals(
        List.of("keep-last 1", "keep-daily 2026-11-24", "keep-weekly 2026-W48"),
        d.kept().get(id("2026-11-24T14:00:00Z")));
    assertEquals(
        ids(
            "2026-11-24T14:00:00Z",
            "2026-11-23T02:00:00Z",
            "2026-11-22T14:00:00Z",
            "2026-11-15T02:00:00Z",
            "2026-11-02T02:00:00Z"),
        List.copyOf(d.kept().keySet()));
  }

  @Test
  void theNewestVerifiedAndProtectedBackupsAreAlwaysKept() {
    List<Candidate> backups = new ArrayList<>(BACKUPS);
    backups.set(5, backup("2026-11-20T02:00:00Z", true)); // the newest verified
    backups.set(7, backup("2026-11-10T02:00:00Z", true)); // verified, but not the newest
    String migration = id("2026-11-02T02:00:00Z");

    Decision d = Retention.select(backups, new RetentionPolicy(1, 0, 0), Set.of(migration, "x"));

    assertEquals(
        Map.of(
            id("2026-11-24T14:00:00Z"),
            List.of("keep-last 1"),
            id("2026-11-20T02:00:00Z"),
            List.of("newest verified"),
            migration,
            List.of("protected")),
        d.kept());
    assertEquals(6, d.deleted().size());
  }

  @Test
  void keepingEverythingDeletesNothing() {
    Decision d = Retention.select(BACKUPS, RetentionPolicy.keepEverything(), Set.of());

    assertEquals(List.of(), d.deleted());
    assertEquals(List.of("keep everything"), d.kept().get(id("2026-11-02T02:00:00Z")));
  }

  @Test
  void backupsStartedAtTheSameInstantAreOrderedById() {
    Candidate a =
        new Candidate("20261124T020000Z-aaaa", Instant.parse("2026-11-24T02:00:00Z"), false);
    Candidate b =
        new Candidate("20261124T020000Z-bbbb", Instant.parse("2026-11-24T02:00:00Z"), false);

    Decision d = Retention.select(List.of(a, b), new RetentionPolicy(1, 0, 0), Set.of());

    assertEquals(List.of(b.id()), List.copyOf(d.kept().keySet()));
    assertEquals(List.of(a.id()), d.deleted());
  }
}
