package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.migration.RollbackInput;
import dev.runbooks.workflows.migration.RollbackResult;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.FlywayException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rollback of the apply step: this run's applied versions undone newest first by their down
 * scripts, and the schema proven equal to the snapshot taken before; a rollback that cannot finish
 * says precisely what is applied now and which backup to restore.
 */
final class Rollback {
  private static final Logger log = LoggerFactory.getLogger(Rollback.class);

  private final Migrators m;

  Rollback(Migrators m) {
    this.m = m;
  }

  RollbackResult rollbackMigrations(RollbackInput input) {
    String target = input.target();
    Migrator migrator = m.onTarget(target);
    MigrationScripts scripts = migrator.scripts();
    String context = "rollback of the migration of target " + target;
    List<VersionTiming> undone = new ArrayList<>();
    List<String> applied;
    try (Heartbeat heartbeat = Heartbeat.start("rollback", input.versions().size(), "versions")) {
      applied = migrator.applied(migrator.flyway("latest", null, null));
      List<String> toUndo = new ArrayList<>();
      for (String v : input.versions()) {
        if (applied.contains(v)) {
          toUndo.add(v);
        }
      }
      Collections.reverse(toUndo);
      for (String v : toUndo) {
        heartbeat.check();
        MigrationScripts.Script s = scripts.get(v).orElse(null);
        if (s == null || s.down() == null) {
          throw rollbackFailed(
              input,
              migrator,
              "V"
                  + v
                  + " has no down script ("
                  + (s != null && s.irreversible() ? "irreversible" : "missing")
                  + ")");
        }
        try {
          undone.add(downOne(migrator, v, input.lockTimeout(), input.statementTimeout(), context));
        } catch (ApplicationFailure e) {
          throw rollbackFailed(input, migrator, e.getOriginalMessage());
        }
        heartbeat.set(undone.size());
      }
      SchemaDumps.Schema now = m.schema(target);
      if (!now.sha256().equals(input.before().sha256())) {
        Optional<SchemaDumps.Schema> before = m.dumps.kept(input.before().key());
        String diff =
            before
                .map(b -> String.join("; ", SchemaDumps.differences(b, now)))
                .orElse(
                    "its hash is "
                        + now.sha256()
                        + ", before it was "
                        + input.before().sha256()
                        + " (the text before is on another worker)");
        m.dumps.discard(input.before().key());
        throw rollbackFailed(
            input,
            migrator,
            "the down scripts ran, but the schema differs from the one before: " + diff);
      }
      log.info("{}: undid {}; schema equals the one before", context, undone);
      m.dumps.discard(input.before().key());
      return new RollbackResult(undone, true);
    } catch (IOException e) {
      throw rollbackFailed(input, migrator, e.getMessage());
    } catch (FlywayException e) {
      throw rollbackFailed(input, migrator, e.getMessage());
    }
  }

  /** A precise state report: what is applied now, what is not, and the backup to restore. */
  private static ApplicationFailure rollbackFailed(
      RollbackInput input, Migrator migrator, String why) {
    String state;
    try {
      List<String> now = migrator.applied(migrator.flyway("latest", null, null));
      List<String> applied = new ArrayList<>();
      List<String> notApplied = new ArrayList<>();
      for (String v : input.versions()) {
        (now.contains(v) ? applied : notApplied).add("V" + v);
      }
      state =
          "of this run's versions, applied now: "
              + (applied.isEmpty() ? "none" : String.join(", ", applied))
              + "; not applied: "
              + (notApplied.isEmpty() ? "none" : String.join(", ", notApplied));
    } catch (RuntimeException e) {
      state = "the schema history could not be read (" + e.getMessage() + ")";
    }
    String backup =
        input.backupId() == null
            ? "there is no pre-migration backup"
            : "restore the pre-migration backup "
                + input.backupId()
                + " (runbook restore --target "
                + input.target()
                + " --backup "
                + input.backupId()
                + " --into NEW_DB) and compare";
    return FailureType.ROLLBACK_FAILED.failure(
        "rollback of target "
            + input.target()
            + " stopped: "
            + why
            + ". State: "
            + state
            + ". It is not retried: fix it by hand, or "
            + backup);
  }

  static VersionTiming downOne(
      Migrator migrator,
      String v,
      Duration lockTimeout,
      Duration statementTimeout,
      String context) {
    MigrationScripts.Script s = migrator.scripts().get(v).orElseThrow();
    long started = System.nanoTime();
    try (LockWaits waits = LockWaits.start(migrator)) {
      migrator.runDown(s, lockTimeout, statementTimeout);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      return new VersionTiming(v, took, waits.waited());
    } catch (SQLException e) {
      RuntimeException lost =
          MigrationFaults.lostConnection(e, "finish the " + context + ": down script of V" + v);
      if (lost != null) {
        throw lost;
      }
      throw FailureType.MIGRATION_FAILED.failure(
          context
              + ": the down script "
              + s.downName()
              + " of V"
              + v
              + " failed: "
              + e.getMessage()
              + (e.getSQLState() == null ? "" : " (SQLSTATE " + e.getSQLState() + ")"));
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }
}
