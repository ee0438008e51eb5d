package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.SessionSettings;
import dev.runbooks.workflows.migration.ScratchInput;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The copies a rehearsal runs in when there is no verified backup to restore: the target's schema
 * only ({@code pg_dump --schema-only | pg_restore}), with its schema history rows so that Flyway
 * sees the copy at the target's version, marked by a comment so that only such a copy is dropped.
 */
final class ScratchCopies {
  private static final Logger log = LoggerFactory.getLogger(ScratchCopies.class);
  private static final String HISTORY_TABLE = MigrationActivitiesImpl.HISTORY_TABLE;

  private final Migrators m;

  ScratchCopies(Migrators m) {
    this.m = m;
  }

  void copySchemaOnly(ScratchInput input) {
    String target = input.target();
    ConnectionSpec spec = m.connections.connectionSpec(target);
    refuseTargetDatabase(spec, input.database(), target);
    String context = "schema-only copy of target " + target + " into " + input.database();
    try (Heartbeat heartbeat = Heartbeat.start("schema-only copy", 0, "steps")) {
      dropScratchCopy(input);
      try (Connection c = m.connections.primary(target);
          Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + Jdbc.identifier(input.database()) + " TEMPLATE template0");
        s.execute(
            "COMMENT ON DATABASE "
                + Jdbc.identifier(input.database())
                + " IS "
                + Jdbc.literal(marker(input)));
      }
      heartbeat.set(1);
      pipeSchema(spec, spec.withDatabase(input.database()), m.sessionOptions(target), context);
      heartbeat.set(2);
      copyHistory(target, input.database());
      log.info("{}: done", context);
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "make the " + context);
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }

  private void pipeSchema(ConnectionSpec from, ConnectionSpec into, String options, String context)
      throws IOException {
    try (PgTool.Running dump =
            m.tools.start(
                PgTool.PG_DUMP,
                List.of(
                    "-Fc",
                    "--schema-only",
                    SessionSettings.dbnameArgument(from.database(), options)),
                from);
        PgTool.Running restore =
            m.tools.start(
                PgTool.PG_RESTORE,
                List.of(
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    SessionSettings.dbnameArgument(into.database(), options)),
                into)) {
      dump.stdin().close();
      try (InputStream in = dump.stdout();
          OutputStream out = restore.stdin()) {
        in.transferTo(out);
      }
      Integer dumped = dump.waitFor(60_000);
      Integer restored = restore.waitFor(60_000);
      if (dumped == null || dumped != 0 || restored == null || restored != 0) {
        throw new IOException(
            "pg_dump exited with "
                + dumped
                + " ("
                + dump.errors()
                + "), pg_restore with "
                + restored
                + " ("
                + restore.errors()
                + ")");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(context + ": interrupted", e);
    }
  }

  /** The schema history's rows, so that Flyway sees the copy at the target's version. */
  private void copyHistory(String target, String database) throws SQLException {
    try (Connection from = m.connections.primary(target);
        Connection into = m.connections.primary(target, database)) {
      if (!Migrator.historyExists(from)) {
        return;
      }
      try (Statement s = from.createStatement();
          ResultSet rs = s.executeQuery("SELECT * FROM " + HISTORY_TABLE)) {
        ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        StringBuilder insert = new StringBuilder("INSERT INTO " + HISTORY_TABLE + " VALUES (");
        for (int i = 1; i <= n; i++) {
          insert.append(i == 1 ? "?" : ", ?");
        }
        try (PreparedStatement p = into.prepareStatement(insert.append(')').toString())) {
          while (rs.next()) {
            for (int i = 1; i <= n; i++) {
              p.setObject(
                  i,
                  rs.getObject(i),
                  meta.getColumnType(i) == Types.OTHER ? Types.OTHER : meta.getColumnType(i));
            }
            p.executeUpdate();
          }
        }
      }
    }
  }

  void dropScratchCopy(ScratchInput input) {
    String target = input.target();
    ConnectionSpec spec = m.connections.connectionSpec(target);
    refuseTargetDatabase(spec, input.database(), target);
    String context = "dropping rehearsal copy " + input.database() + " of target " + target;
    try (Connection c = m.connections.primary(target)) {
      String comment;
      try (PreparedStatement s =
          c.prepareStatement(
              "SELECT coalesce(shobj_description(oid, 'pg_database'), '') FROM pg_database"
                  + " WHERE datname = ?")) {
        s.setString(1, input.database());
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next()) {
            return;
          }
          comment = rs.getString(1);
        }
      }
      if (!comment.startsWith(MigrationActivitiesImpl.COPY_MARKER + target + " ")) {
        log.warn("{}: left alone, no rehearsal made it ({})", context, comment);
        return;
      }
      // WITH (FORCE) ends the copy's sessions; a lock held elsewhere is waited for within the
      // sessions' lock_timeout only (no statement_timeout: the files go in one stretch).
      new BoundedCleanup(
              () -> m.connections.primary(target),
              m.connections.sessionSettings().lockTimeout(),
              Duration.ZERO)
          .execute(
              "DROP DATABASE IF EXISTS " + Jdbc.identifier(input.database()) + " WITH (FORCE)");
      log.info("{}: dropped", context);
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "finish " + context);
    }
  }

  private static String marker(ScratchInput input) {
    return MigrationActivitiesImpl.COPY_MARKER
        + input.target()
        + " ("
        + input.idempotencyKey()
        + ")";
  }

  /** A scratch copy must be a new, plainly named database, never the target's own. */
  static void refuseTargetDatabase(ConnectionSpec spec, String database, String target) {
    if (spec.database().equals(database) || !database.matches("[a-z0-9_]{1,63}")) {
      throw FailureType.BAD_INPUT.failure(
          "the rehearsal copy "
              + database
              + " must be a new database (lower-case letters, digits, '_') other than target "
              + target
              + "'s own");
    }
  }
}
