package dev.runbooks.activities.migration;

import dev.runbooks.workflows.migration.DriftInput;
import dev.runbooks.workflows.migration.DriftResult;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Drift: the target's schema against the one the last successful apply recorded in {@value #TABLE}
 * (beside Flyway's history, left out of every schema comparison), or, before any apply recorded
 * one, against the rehearsal's starting schema. A table, column, index or constraint nobody
 * migrated refuses the run with the difference, unless the operator accepts it with a reason, which
 * is recorded with the schema.
 */
final class SchemaDrift {
  private static final Logger log = LoggerFactory.getLogger(SchemaDrift.class);

  /** Where each successful apply (and each accepted drift) records the schema it left. */
  static final String TABLE = "runbooks_schema_history";

  private final Migrators m;

  SchemaDrift(Migrators m) {
    this.m = m;
  }

  /** A recorded schema and what it was. */
  private record Baseline(String what, String sha256, SchemaDumps.Schema schema) {}

  DriftResult checkSchemaDrift(DriftInput input) {
    String target = input.target();
    try {
      Optional<SchemaDumps.Schema> snapshot = m.dumps.kept(input.before().key());
      SchemaDumps.Schema now = snapshot.isPresent() ? snapshot.get() : m.schema(target);
      Baseline baseline = recorded(target).orElse(null);
      if (baseline == null) {
        if (input.rehearsalHash() == null) {
          return new DriftResult("nothing recorded yet", List.of(), null);
        }
        baseline =
            new Baseline(
                "the rehearsal's starting schema (no apply recorded one yet)",
                input.rehearsalHash(),
                input.rehearsalKey() == null
                    ? null
                    : m.dumps.kept(input.rehearsalKey()).orElse(null));
      }
      if (input.rehearsalKey() != null) {
        m.dumps.discard(input.rehearsalKey());
      }
      if (baseline.sha256().equals(now.sha256())) {
        return new DriftResult(baseline.what(), List.of(), null);
      }
      List<String> differences =
          baseline.schema() == null
              ? List.of(
                  "its hash is "
                      + now.sha256()
                      + ", the baseline's "
                      + baseline.sha256()
                      + " (the baseline's text is on another worker)")
              : SchemaDumps.differences(baseline.schema(), now);
      if (input.acceptDrift() == null) {
        throw FailureType.BAD_INPUT.failure(
            "target "
                + target
                + ": its schema drifted from "
                + baseline.what()
                + ", outside the migrations: "
                + String.join("; ", differences)
                + ". Nothing was changed. Put the change in a migration (or undo it by hand), or,"
                + " if it is meant to stay, start again with --accept-drift REASON");
      }
      record(target, now, input.idempotencyKey(), "drift accepted: " + input.acceptDrift());
      log.warn(
          "target {}: schema drift from {} accepted ({}): {}",
          target,
          baseline.what(),
          input.acceptDrift(),
          differences);
      return new DriftResult(baseline.what(), differences, input.acceptDrift());
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(
          "schema drift check of target " + target + ": " + e.getMessage());
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "check the schema of target " + target + " for drift");
    }
  }

  /** Records the target's schema now, after a successful apply. */
  void recordApplied(String target, String runKey) throws IOException, SQLException {
    record(target, m.schema(target), runKey, "applied");
  }

  private Optional<Baseline> recorded(String target) throws SQLException {
    try (Connection c = m.connections.primary(target);
        Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT to_regclass('" + TABLE + "') IS NOT NULL")) {
        rs.next();
        if (!rs.getBoolean(1)) {
          return Optional.empty();
        }
      }
      try (ResultSet rs =
          s.executeQuery(
              "SELECT recorded_at, run, note, sha256, schema FROM "
                  + TABLE
                  + " ORDER BY recorded_at DESC LIMIT 1")) {
        if (!rs.next()) {
          return Optional.empty();
        }
        return Optional.of(
            new Baseline(
                "the schema recorded "
                    + rs.getTimestamp(1).toInstant()
                    + " by run "
                    + rs.getString(2)
                    + " ("
                    + rs.getString(3)
                    + ")",
                rs.getString(4),
                SchemaDumps.normalise(rs.getString(5))));
      }
    }
  }

  private void record(String target, SchemaDumps.Schema schema, String runKey, String note)
      throws SQLException {
    try (Connection c = m.connections.primary(target)) {
      try (Statement s = c.createStatement()) {
        s.execute(
            "CREATE TABLE IF NOT EXISTS "
                + TABLE
                // No serial: its sequence would be an object of the schema compared.
                + " (recorded_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
                + " run text NOT NULL, note text NOT NULL, sha256 text NOT NULL,"
                + " schema text NOT NULL)");
      }
      try (PreparedStatement s =
          c.prepareStatement(
              "INSERT INTO " + TABLE + " (run, note, sha256, schema) VALUES (?, ?, ?, ?)")) {
        s.setString(1, runKey.contains("/") ? runKey.substring(0, runKey.indexOf('/')) : runKey);
        s.setString(2, note);
        s.setString(3, schema.sha256());
        s.setString(4, schema.text());
        s.executeUpdate();
      }
    }
  }
}
