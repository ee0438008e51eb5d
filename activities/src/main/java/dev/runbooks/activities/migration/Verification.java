package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.workflows.migration.VerifyInput;
import dev.runbooks.workflows.migration.VerifyResult;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.flywaydb.core.api.FlywayException;

/**
 * The verify step: every applied version has a successful history row, each {@code verify/} script
 * returns true, and a row of every user table can be read.
 */
final class Verification {

  private final Migrators m;
  private final SchemaDrift drift;

  Verification(Migrators m, SchemaDrift drift) {
    this.m = m;
    this.drift = drift;
  }

  VerifyResult verifyMigrations(VerifyInput input) {
    String target = input.target();
    Migrator migrator = m.onTarget(target);
    MigrationScripts scripts = migrator.scripts();
    String context = "verification of the migration of target " + target;
    List<String> checks = new ArrayList<>();
    try {
      List<String> applied = migrator.applied(migrator.flyway("latest", null, null));
      List<String> missing = new ArrayList<>();
      for (String v : input.versions()) {
        if (!applied.contains(v)) {
          missing.add("V" + v);
        }
      }
      if (!missing.isEmpty()) {
        throw FailureType.MIGRATION_FAILED.failure(
            context
                + ": the schema history has no successful row for "
                + String.join(", ", missing));
      }
      checks.add("history: " + input.versions().size() + " rows successful");
      try (Connection c = m.connections.primary(target)) {
        int verified = 0;
        for (String v : input.versions()) {
          Optional<MigrationScripts.Script> s = scripts.get(v);
          if (s.isEmpty() || s.get().verify() == null) {
            continue;
          }
          String sql = MigrationScripts.text(s.get().verify());
          verifyScript(c, s.get().verifyName(), sql, context);
          verified++;
        }
        checks.add(verified + " verify script" + (verified == 1 ? "" : "s") + " true");
        checks.add("smoke: " + smoke(c) + " tables readable");
      }
      // Verified: the schema this apply left is the one the next run's drift check expects.
      drift.recordApplied(target, input.idempotencyKey());
      checks.add("schema recorded for the next drift check");
      // Verified: nothing rolls this run back now, so its schema snapshot has served.
      m.dumps.discard(SchemaDumps.snapshotKeyOfRun(input.idempotencyKey()));
      return new VerifyResult(checks);
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "finish the " + context);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    } catch (FlywayException e) {
      throw MigrationFaults.flyway(context, e);
    }
  }

  private static void verifyScript(Connection c, String name, String sql, String context) {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()
          || rs.getMetaData().getColumnCount() != 1
          || rs.getMetaData().getColumnType(1) != Types.BIT
              && rs.getMetaData().getColumnType(1) != Types.BOOLEAN) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " must return one row with one boolean column");
      }
      boolean ok = rs.getBoolean(1) && !rs.wasNull();
      if (rs.next()) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " returned more than one row; it must return one boolean");
      }
      if (!ok) {
        throw FailureType.MIGRATION_FAILED.failure(
            context + ": " + name + " returned false: the migration did not do what it should");
      }
    } catch (SQLException e) {
      throw FailureType.MIGRATION_FAILED.failure(
          context + ": " + name + " failed: " + e.getMessage());
    }
  }

  /** Reads a row of every user table: a migration that broke a table shows here. */
  private static int smoke(Connection c) throws SQLException {
    List<String> tables = new ArrayList<>();
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables ORDER BY 1")) {
      while (rs.next()) {
        tables.add(rs.getString(1));
      }
    }
    for (String t : tables) {
      Jdbc.execute(c, "SELECT * FROM " + t + " LIMIT 1");
    }
    return tables.size();
  }
}
