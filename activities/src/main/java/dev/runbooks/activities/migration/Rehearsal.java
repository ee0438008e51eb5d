package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.migration.DriftInput;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.RehearsalInput;
import dev.runbooks.workflows.migration.RehearsalResult;
import dev.runbooks.workflows.migration.ScratchInput;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.MigrationVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The rehearsal, in a scratch copy of the target: the copy brought to the target's version, the
 * versions applied, undone by their down scripts with the schema compared to the one before, and
 * applied again, each version timed with its lock wait.
 */
final class Rehearsal {
  private static final Logger log = LoggerFactory.getLogger(Rehearsal.class);
  private static final String HISTORY_TABLE = MigrationActivitiesImpl.HISTORY_TABLE;

  private final Migrators m;

  Rehearsal(Migrators m) {
    this.m = m;
  }

  RehearsalResult rehearseMigrations(RehearsalInput input) {
    ScratchInput scratch = input.scratch();
    String target = scratch.target();
    MigrationPlan plan = input.plan();
    ConnectionSpec spec = m.connections.connectionSpec(target);
    ScratchCopies.refuseTargetDatabase(spec, scratch.database(), target);
    String context =
        "rehearsal of " + String.join(", ", plan.versions()) + " on a copy of " + target;
    Migrator migrator = m.onCopy(target, scratch.database());
    long started = System.nanoTime();
    int total = plan.pending().size() * 3 + 2;
    try (Heartbeat heartbeat = Heartbeat.start("rehearse", total, "steps")) {
      List<String> caughtUp = catchUp(migrator, plan, input, context);
      String options = m.sessionOptions(target);
      SchemaDumps.Schema before = m.dumps.dump(spec.withDatabase(scratch.database()), options);
      // The first apply's drift check compares the target with this (SchemaDrift).
      m.dumps.keep(DriftInput.rehearsalSchemaKey(scratch.idempotencyKey()), before);
      List<String> notes = representative(target, scratch.database());
      heartbeat.set(1);
      List<VersionTiming> up =
          Apply.applyAll(
              migrator,
              plan.versions(),
              input.lockTimeout(),
              input.statementTimeout(),
              context,
              done -> heartbeat.set(1 + done));
      if (!plan.reversible()) {
        return RehearsalResult.upOnly(
                input.source(),
                caughtUp,
                up,
                before.sha256(),
                Duration.ofNanos(System.nanoTime() - started))
            .withNotes(notes);
      }
      List<VersionTiming> down = new ArrayList<>();
      List<String> reversed = new ArrayList<>(plan.versions());
      Collections.reverse(reversed);
      for (String v : reversed) {
        heartbeat.check();
        down.add(
            Rollback.downOne(migrator, v, input.lockTimeout(), input.statementTimeout(), context));
        heartbeat.set(1 + up.size() + down.size());
      }
      SchemaDumps.Schema after = m.dumps.dump(spec.withDatabase(scratch.database()), options);
      List<String> differences = SchemaDumps.differences(before, after);
      if (!differences.isEmpty()) {
        log.warn("{}: the down scripts do not restore the schema: {}", context, differences);
        return RehearsalResult.rollbackDiffers(
                input.source(),
                caughtUp,
                up,
                down,
                differences,
                before.sha256(),
                Duration.ofNanos(System.nanoTime() - started))
            .withNotes(notes);
      }
      int undone = down.size();
      List<VersionTiming> reUp =
          Apply.applyAll(
              migrator,
              plan.versions(),
              input.lockTimeout(),
              input.statementTimeout(),
              context,
              done -> heartbeat.set(1 + up.size() + undone + done));
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      log.info("{}: up, down, schema equal, up again in {} ms", context, took.toMillis());
      return RehearsalResult.proven(input.source(), caughtUp, up, down, reUp, before.sha256(), took)
          .withNotes(notes);
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "finish the " + context);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  /** An older backup's copy is brought to the target's version first, with the same scripts. */
  private List<String> catchUp(
      Migrator migrator, MigrationPlan plan, RehearsalInput input, String context) {
    try {
      List<String> applied = migrator.applied(migrator.flyway("latest", null, null));
      String copyAt = Migrator.current(applied);
      String targetAt = plan.currentVersion();
      if (Objects.equals(copyAt, targetAt)) {
        return List.of();
      }
      if (targetAt == null
          || (copyAt != null
              && MigrationVersion.fromVersion(copyAt)
                  .isNewerThan(MigrationVersion.fromVersion(targetAt)))) {
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": the copy ("
                + input.source()
                + ") is at V"
                + copyAt
                + " but the target at "
                + (targetAt == null ? "no version" : "V" + targetAt)
                + ": the backup is newer than the target's schema. Take a new backup of the target"
                + " (runbook backup) and start again");
      }
      List<String> before = applied;
      migrator.flyway(targetAt, input.lockTimeout(), input.statementTimeout()).migrate();
      List<String> now = migrator.applied(migrator.flyway("latest", null, null));
      List<String> caughtUp = new ArrayList<>();
      for (String v : now) {
        if (!before.contains(v)) {
          caughtUp.add("V" + v);
        }
      }
      return caughtUp;
    } catch (FlywayException e) {
      throw FailureType.MIGRATION_FAILED.failure(
          context + ": bringing the copy to the target's version failed: " + e.getMessage());
    }
  }

  /** The copy's rows against the target's, before the rehearsal changes either. */
  private List<String> representative(String target, String copy) throws SQLException {
    long targetRows;
    long copyRows;
    try (Connection t = m.connections.primary(target)) {
      targetRows = RehearsalRows.rows(t);
    }
    try (Connection c = m.connections.primary(target, copy)) {
      copyRows = RehearsalRows.rows(c);
    }
    return RehearsalRows.compare(target, targetRows, copyRows);
  }
}
