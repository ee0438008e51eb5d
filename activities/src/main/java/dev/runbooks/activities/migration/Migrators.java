package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * What every stage of the migration runbook works with: the target's connections, its migrations
 * directory, the PostgreSQL programs and the schema snapshots on this worker.
 */
final class Migrators {
  final TargetConnections connections;
  final MigrationTargets targets;
  final PgTool tools;
  final SchemaDumps dumps;

  Migrators(
      TargetConnections connections, MigrationTargets targets, PgTool tools, SchemaDumps dumps) {
    this.connections = connections;
    this.targets = targets;
    this.tools = tools;
    this.dumps = dumps;
  }

  /** Flyway and the down scripts against the target's own database. */
  Migrator onTarget(String target) {
    return new Migrator(
        () -> connections.primary(target), scripts(target), connections.sessionSettings());
  }

  /** Flyway and the down scripts against another database on the target's server (a copy). */
  Migrator onCopy(String target, String database) {
    return new Migrator(
        () -> connections.primary(target, database),
        scripts(target),
        connections.sessionSettings());
  }

  MigrationScripts scripts(String target) {
    Path dir = targets.migrations(target);
    try {
      return MigrationScripts.read(dir, targets.irreversible(target));
    } catch (IllegalArgumentException e) {
      throw FailureType.BAD_INPUT.failure(
          "target " + target + ": " + e.getMessage() + "; nothing was changed");
    } catch (IOException e) {
      throw FailureType.BAD_INPUT.failure(
          "target "
              + target
              + ": cannot read its migrations directory "
              + dir
              + " ("
              + e
              + "); check migrations: in the configuration and the directory's permissions");
    }
  }

  ConnectionSpec spec(String target) {
    return connections.connectionSpec(target);
  }

  /** The options pg_dump and pg_restore sessions set: the same bounds as every JDBC session. */
  String sessionOptions(String target) {
    try (Connection c = connections.primary(target)) {
      return connections.sessionSettings().libpqOptions(c);
    } catch (SQLException e) {
      throw MigrationFaults.sql(e, "connect to target " + target);
    }
  }

  /** The target's schema now, as the runbook compares schemas. */
  SchemaDumps.Schema schema(String target) throws IOException {
    return dumps.dump(spec(target), sessionOptions(target));
  }
}
