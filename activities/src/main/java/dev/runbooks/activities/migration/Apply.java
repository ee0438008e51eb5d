package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.migration.ApplyInput;
import dev.runbooks.workflows.migration.ApplyResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;

/**
 * The apply step: the planned versions applied to the target one at a time by one Flyway migrate,
 * each timed with its lock wait, what a failed script left cleaned up within a bound, and an abort
 * cancelling the statement running.
 */
final class Apply {

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
      try {
        return new ApplyResult(
            applyAll(
                migrator,
                input.versions(),
                input.lockTimeout(),
                input.statementTimeout(),
                context,
                heartbeat::set));
      } catch (RuntimeException e) {
        heartbeat.check(); // aborted: report the cancellation, not the statement it cancelled
        throw e;
      }
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "finish the " + context);
    }
  }

  /**
   * Applies {@code versions} in order with one Flyway migrate to the last of them: Flyway applies
   * them one version at a time, each in its own transaction (or none, for CONCURRENTLY), and stops
   * at the first failure; a callback times each version, takes its lock wait and reports progress.
   * Versions applied already (a retried activity) are reported from the history and skipped; a
   * pending version that is not in {@code versions} but older than the last is refused. A failure
   * removes what a non-transactional script left: its failed history row and any INVALID index.
   */
  static List<VersionTiming> applyAll(
      Migrator migrator,
      List<String> versions,
      Duration lockTimeout,
      Duration statementTimeout,
      String context,
      IntConsumer progress)
      throws SQLException {
    List<VersionTiming> done = new ArrayList<>();
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
    progress.accept(done.size());
    if (todo.isEmpty()) {
      return done;
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
    List<String> invalidBefore = migrator.invalidIndexes();
    try (LockWaits waits = LockWaits.start(migrator)) {
      PerVersion timing = new PerVersion(waits, done, progress, context);
      try {
        migrator.flyway(last.getVersion(), lockTimeout, statementTimeout, timing).migrate();
      } catch (FlywayException e) {
        String v = timing.current();
        BoundedCleanup cleanup = migrator.cleanup(lockTimeout, statementTimeout);
        Migrator.Cleaned cleaned = migrator.dropNewInvalidIndexes(invalidBefore, cleanup);
        List<String> dropped = cleaned.dropped();
        int rows = v == null ? 0 : migrator.deleteFailedRow(v, cleanup);
        RuntimeException lost =
            MigrationFaults.lostConnection(e, "finish the " + context + ": V" + v);
        if (lost != null) {
          throw lost;
        }
        if (v == null) {
          throw MigrationFaults.flyway(context, e);
        }
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": V"
                + v
                + " ("
                + migrator.scripts().get(v).map(MigrationScripts.Script::upName).orElse("?")
                + ") failed after "
                + timing.elapsed().toMillis()
                + " ms: "
                + MigrationFaults.rootMessage(e)
                + (MigrationFaults.lockTimeout(e) ? "; " + waits.blockers() : "")
                + (dropped.isEmpty()
                    ? ""
                    : "; dropped the INVALID indexes it left: " + String.join(", ", dropped))
                + (cleaned.left().isEmpty() ? "" : "; " + String.join("; ", cleaned.left()))
                + (rows == 0 ? "" : "; removed its failed schema history row")
                + ". V"
                + v
                + " is not applied");
      }
    }
    return done;
  }

  /** Times each version Flyway applies, with the lock wait sampled meanwhile. */
}
