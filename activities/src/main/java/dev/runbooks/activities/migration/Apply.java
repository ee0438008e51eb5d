package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.migration.ApplyInput;
import dev.runbooks.workflows.migration.ApplyResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Texts;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The apply step: the planned versions applied to the target one at a time by Flyway, each from a
 * reset session with the run's timeouts ({@link SessionGuard}), timed with its lock wait; a version
 * that gave up waiting for its lock tried again within {@link LockRetries}, what a failed script
 * left cleaned up within a bound, and an abort cancelling the statement running.
 */
final class Apply {
  private static final Logger log = LoggerFactory.getLogger(Apply.class);

  /** What the apply reports while it runs. */
  interface Progress {
    /** {@code versions} are applied now. */
    void done(int versions);

    /** What it waits for, such as the sessions holding the lock a version needs. */
    default void waiting(String detail) {}

    /** Throws when the run was aborted. */
    default void check() {}
  }

  private final Migrators m;

  Apply(Migrators m) {
    this.m = m;
  }

  ApplyResult applyMigrations(ApplyInput input) {
    String target = input.target();
    Migrator migrator = m.onTarget(target);
    String context = "migration of target " + target;
    try (Heartbeat heartbeat = Heartbeat.start("apply", input.versions().size(), "versions")) {
      // An abort: cancel the statement running now; PostgreSQL rolls its migration back.
      heartbeat.onStop(() -> migrator.cancelSessions(context));
      Progress progress =
          new Progress() {
            @Override
            public void done(int versions) {
              heartbeat.set(versions);
              heartbeat.detail(null);
            }

            @Override
            public void waiting(String detail) {
              heartbeat.detail(detail);
            }

            @Override
            public void check() {
              heartbeat.check();
            }
          };
      try {
        return new ApplyResult(
            applyAll(
                migrator,
                input.versions(),
                input.lockTimeout(),
                input.statementTimeout(),
                new LockRetries(input.lockRetries(), input.lockBudget()),
                context,
                progress));
      } catch (RuntimeException e) {
        heartbeat.check(); // aborted: report the cancellation, not the statement it cancelled
        throw e;
      }
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "finish the " + context);
    }
  }

  /** {@link #applyAll(Migrator, List, Duration, Duration, LockRetries, String, Progress)} once. */
  static List<VersionTiming> applyAll(
      Migrator migrator,
      List<String> versions,
      Duration lockTimeout,
      Duration statementTimeout,
      String context,
      Progress progress)
      throws SQLException {
    return applyAll(
        migrator, versions, lockTimeout, statementTimeout, LockRetries.NONE, context, progress);
  }

  /**
   * Applies {@code versions} in order with Flyway migrating to the last of them: Flyway applies
   * them one version at a time, each in its own transaction (or none, for CONCURRENTLY), and stops
   * at the first failure; a callback times each version, takes its lock wait and reports progress.
   * Versions applied already (a retried activity) are reported from the history and skipped; a
   * pending version that is not in {@code versions} but older than the last is refused. A failure
   * removes what a non-transactional script left: its failed history row and any INVALID index. A
   * version that gave up its lock wait is tried again, from a new session, while {@code retries}
   * allow; then the migrate goes on from it.
   */
  static List<VersionTiming> applyAll(
      Migrator migrator,
      List<String> versions,
      Duration lockTimeout,
      Duration statementTimeout,
      LockRetries retries,
      String context,
      Progress progress)
      throws SQLException {
    List<VersionTiming> done = new ArrayList<>();
    List<String> todo = pending(migrator, versions, done, lockTimeout, statementTimeout, context);
    progress.done(done.size());
    if (todo.isEmpty()) {
      return done;
    }
    String last = todo.get(todo.size() - 1);
    List<String> invalidBefore = migrator.invalidIndexes();
    try (LockWaits waits = LockWaits.start(migrator)) {
      PerVersion timing = new PerVersion(waits, done, progress::done, context);
      String retrying = null;
      Instant firstAttempt = null;
      int attempt = 0;
      while (true) {
        try {
          migrator.flyway(last, lockTimeout, statementTimeout, timing).migrate();
          return done;
        } catch (FlywayException e) {
          String v = timing.current();
          Duration took = timing.elapsed();
          Failed failed = cleanUp(migrator, v, invalidBefore, lockTimeout, statementTimeout);
          RuntimeException lost =
              MigrationFaults.lostConnection(e, "finish the " + context + ": V" + v);
          if (lost != null) {
            throw lost;
          }
          if (v == null) {
            throw MigrationFaults.flyway(context, e);
          }
          boolean lock = MigrationFaults.lockTimeout(e);
          if (!v.equals(retrying)) {
            retrying = v;
            attempt = 1;
            firstAttempt = Instant.now().minus(took);
          } else {
            attempt++;
          }
          Duration pause =
              lock ? retries.nextPause(attempt, firstAttempt, Instant.now(), lockTimeout) : null;
          if (pause == null) {
            throw failed(migrator, v, took, e, lock, waits, failed, attempt, retries, context);
          }
          String detail =
              "V"
                  + v
                  + " attempt "
                  + attempt
                  + " of "
                  + (retries.retries() + 1)
                  + " gave up waiting for its lock after "
                  + Texts.duration(lockTimeout)
                  + ", "
                  + waits.blockers()
                  + "; trying again in "
                  + Texts.duration(pause);
          log.info("{}: {}", context, detail);
          progress.waiting(detail);
          pauseFor(pause, progress);
        }
      }
    }
  }

  /** The versions still to apply; those applied already are added to {@code done}. */
  private static List<String> pending(
      Migrator migrator,
      List<String> versions,
      List<VersionTiming> done,
      Duration lockTimeout,
      Duration statementTimeout,
      String context)
      throws SQLException {
    List<String> todo = new ArrayList<>();
    Map<String, Migrator.Row> history = migrator.history();
    for (String version : versions) {
      String v = MigrationScripts.normalise(version);
      if (migrator.scripts().get(v).isEmpty()) {
        throw FailureType.BAD_INPUT.failure(
            context + ": no migration V" + v + "__*.sql in " + migrator.scripts().directory());
      }
      Migrator.Row row = history.get(v);
      if (row != null && row.success()) {
        done.add(new VersionTiming(v, Duration.ofMillis(row.executionMillis()), Duration.ZERO));
      } else {
        if (row != null) {
          migrator.deleteFailedRow(v, migrator.cleanup(lockTimeout, statementTimeout));
        }
        todo.add(v);
      }
    }
    if (todo.isEmpty()) {
      return todo;
    }
    MigrationVersion last = MigrationVersion.fromVersion(todo.get(todo.size() - 1));
    for (MigrationScripts.Script s : migrator.scripts().all()) {
      Migrator.Row row = history.get(s.version());
      if (!MigrationVersion.fromVersion(s.version()).isNewerThan(last)
          && (row == null || !row.success())
          && !todo.contains(s.version())) {
        throw FailureType.BAD_INPUT.failure(
            context
                + ": V"
                + s.version()
                + " is pending but not in this run's plan; versions are applied in order."
                + " Start the migration again to plan it");
      }
    }
    return todo;
  }

  /** What the cleanup after a failed version did. */
  private record Failed(Migrator.Cleaned cleaned, int rows) {}

  private static Failed cleanUp(
      Migrator migrator,
      String v,
      List<String> invalidBefore,
      Duration lockTimeout,
      Duration statementTimeout)
      throws SQLException {
    BoundedCleanup cleanup = migrator.cleanup(lockTimeout, statementTimeout);
    Migrator.Cleaned cleaned = migrator.dropNewInvalidIndexes(invalidBefore, cleanup);
    int rows = v == null ? 0 : migrator.deleteFailedRow(v, cleanup);
    return new Failed(cleaned, rows);
  }

  private static RuntimeException failed(
      Migrator migrator,
      String v,
      Duration took,
      FlywayException e,
      boolean lock,
      LockWaits waits,
      Failed failed,
      int attempts,
      LockRetries retries,
      String context) {
    List<String> dropped = failed.cleaned().dropped();
    List<String> left = failed.cleaned().left();
    return FailureType.MIGRATION_FAILED.failure(
        context
            + ": V"
            + v
            + " ("
            + migrator.scripts().get(v).map(MigrationScripts.Script::upName).orElse("?")
            + ") failed after "
            + took.toMillis()
            + " ms: "
            + MigrationFaults.rootMessage(e)
            + (lock ? "; " + waits.blockers() : "")
            + (lock && attempts > 1
                ? "; gave up after "
                    + attempts
                    + " attempts (--lock-retries "
                    + retries.retries()
                    + ", --lock-budget "
                    + Texts.duration(retries.budget())
                    + ")"
                : "")
            + (dropped.isEmpty()
                ? ""
                : "; dropped the INVALID indexes it left: " + String.join(", ", dropped))
            + (left.isEmpty() ? "" : "; " + String.join("; ", left))
            + (failed.rows() == 0 ? "" : "; removed its failed schema history row")
            + ". V"
            + v
            + " is not applied");
  }

  /** Sleeps between attempts, noticing an abort within a second. */
  private static void pauseFor(Duration pause, Progress progress) {
    long end = System.nanoTime() + pause.toNanos();
    try {
      for (long now = System.nanoTime(); now < end; now = System.nanoTime()) {
        progress.check();
        Thread.sleep(Math.min(250, Math.max(1, (end - now) / 1_000_000)));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw FailureType.MIGRATION_FAILED.failure("interrupted between lock attempts");
    }
    progress.check();
  }
}
