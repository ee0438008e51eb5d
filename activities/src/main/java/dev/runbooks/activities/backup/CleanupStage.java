package dev.runbooks.activities.backup;

import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cleanup step, and the rule it keeps: every database a restore creates carries a comment
 * naming the backup and the restore, and only such a database is re-created or dropped, so no
 * database that existed before a restore is ever overwritten or dropped.
 */
final class CleanupStage {
  private static final Logger log = LoggerFactory.getLogger(CleanupStage.class);

  /** What the comment of every database a restore creates starts with. */
  static final String MARKER = "runbooks restore of ";

  private final TargetConnections connections;

  CleanupStage(TargetConnections connections) {
    this.connections = connections;
  }

  /**
   * Drops the database if it exists and a restore created it. A database without a restore's
   * comment is left alone and logged: that is what keeps an incident restore's compensation from
   * dropping a database that was there before.
   */
  void dropRestoredDatabase(RestoreInput input) {
    String target = input.target();
    String database = BackupNames.restoreDatabase(input.database());
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, database, target);
    String context = "dropping restored database " + database + " of target " + target;
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isEmpty()) {
        log.info("{}: it does not exist", context);
        return;
      }
      if (!ours(comment.get(), input)) {
        log.warn("{}: left alone, this restore did not create it ({})", context, comment.get());
        return;
      }
      drop(c, database);
      log.info("{}: dropped", context);
    } catch (SQLException e) {
      throw Faults.sqlFault(context + " on " + spec.address(), e);
    }
  }

  /**
   * Creates the database, empty (from template0) and marked as this restore's. One that exists is
   * re-created only when an earlier attempt of this very restore made it.
   */
  void prepareDatabase(
      String target, ConnectionSpec spec, String database, RestoreInput input, String context) {
    String marker = marker(input);
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isPresent()) {
        if (!ours(comment.get(), input)) {
          String clash =
              context
                  + ": the database "
                  + database
                  + " already exists on "
                  + spec.address()
                  + (comment.get().startsWith(MARKER)
                      ? " (made by another restore: " + comment.get() + ")"
                      : "")
                  + " and a restore never overwrites a database: ";
          // A name the operator chose is bad input; a drill's scratch name is the runbooks' own,
          // so a clash there is an infrastructure conflict, never a verdict on the backup.
          throw input.mustNotExist()
              ? FailureType.BAD_INPUT.failure(
                  clash
                      + "choose a new name, or drop "
                      + database
                      + " yourself if you are sure it is not needed")
              : FailureType.CONFLICT.failure(
                  clash
                      + "another run is using that scratch name; run the drill again, or drop "
                      + database
                      + " yourself if no run is using it");
        }
        log.info("{}: re-creating {}, left by an earlier attempt", context, database);
        drop(c, database);
      }
      Jdbc.execute(c, "CREATE DATABASE " + Jdbc.identifier(database) + " TEMPLATE template0");
      Jdbc.execute(
          c, "COMMENT ON DATABASE " + Jdbc.identifier(database) + " IS " + Jdbc.literal(marker));
    } catch (SQLException e) {
      throw Faults.sqlFault(context + ": creating the database on " + spec.address(), e);
    }
  }

  /** The comment that marks a database as made by this restore (this backup, this call). */
  private static String marker(RestoreInput input) {
    return MARKER
        + input.target()
        + " backup "
        + input.backupId()
        + " ("
        + input.idempotencyKey()
        + ")";
  }

  /**
   * Whether this restore made the database. Only then may it be dropped or re-created: another
   * restore's database may be the one clients already use in an incident.
   */
  private static boolean ours(String comment, RestoreInput input) {
    return comment.equals(marker(input));
  }

  void dropAfterFailure(RestoreInput input, String database, String context) {
    String target = input.target();
    ConnectionSpec spec = connections.connectionSpec(target);
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isPresent() && ours(comment.get(), input)) {
        drop(c, database);
        log.info("{}: dropped the half-restored database", context);
      }
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "{}: could not drop the half-restored database {}: {}; dropRestoredDatabase will",
          context,
          database,
          e.toString());
    }
  }

  private Connection openPrimary(String target, ConnectionSpec spec, String context) {
    try {
      return connections.primary(target);
    } catch (SQLException e) {
      throw Faults.sqlFault(context + ": connecting to " + spec.address(), e);
    }
  }

  private static Optional<String> databaseComment(Connection c, String database)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '')"
                + " FROM pg_database WHERE datname = ?")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static void drop(Connection c, String database) throws SQLException {
    Jdbc.execute(c, "DROP DATABASE IF EXISTS " + Jdbc.identifier(database) + " WITH (FORCE)");
  }

  /** Never the target's own database: a drill or restore writes only into new databases. */
  static void refuseTargetDatabase(ConnectionSpec spec, String database, String target) {
    if (spec.database().equals(database)) {
      throw FailureType.BAD_INPUT.failure(
          "the database "
              + database
              + " is target "
              + target
              + "'s own database: a restore never writes into it nor drops it. Restore into a"
              + " new database, such as "
              + database
              + "_restored");
    }
  }
}
