package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.admin;
import static dev.runbooks.activities.failover.FailoverSql.alterSystem;
import static dev.runbooks.activities.failover.FailoverSql.failure;
import static dev.runbooks.activities.failover.FailoverSql.string;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.FenceInput;
import dev.runbooks.workflows.failover.Fencing;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's fence step and its rollback: the primary read-only (ALTER SYSTEM and a reload),
 * the application roles NOLOGIN and their sessions ended. What it changes is recorded on the server
 * first ({@link FenceRecord}), so a retry and the unfence undo exactly that.
 */
final class FenceStage {
  private static final Logger log = LoggerFactory.getLogger(FenceStage.class);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final Clock clock;

  FenceStage(TargetConnections connections, FailoverTargets targets, Clock clock) {
    this.connections = connections;
    this.targets = targets;
    this.clock = clock;
  }

  Fencing fence(FenceInput input) {
    String target = input.target();
    try (Connection c = admin(connections.replica(target, server(input)))) {
      FenceRecord record = fenceRecord(c);
      if (record != null && !record.runId().equals(input.runId())) {
        throw FailureType.CONFLICT.failure(
            "the primary of "
                + target
                + " ("
                + server(input)
                + ")"
                + " is already fenced by run "
                + record.runId()
                + " (setting "
                + FenceRecord.SETTING
                + "). Nothing was changed. Finish or unfence that run first"
                + " (runbooks/failover.md, \"Unfence by hand\").");
      }
      if (record == null) {
        boolean readOnlyBefore =
            "on"
                .equals(
                    string(
                        c,
                        "SELECT reset_val FROM pg_settings"
                            + " WHERE name = 'default_transaction_read_only'"));
        record =
            new FenceRecord(
                input.runId(),
                !readOnlyBefore,
                applicationRoles(c, target),
                clock.instant().toString());
        // Written first: a retry after a lost answer must undo what this run changed, no more.
        alterSystem(c, FenceRecord.SETTING, record.encode());
      }
      if (record.readOnlyChanged()) {
        alterSystem(c, "default_transaction_read_only", "on");
      }
      for (String role : record.roles()) {
        Jdbc.execute(c, "ALTER ROLE " + Jdbc.identifier(role) + " NOLOGIN");
      }
      Instant fencedAt = clock.instant();
      Jdbc.bool(c, "SELECT pg_reload_conf()");
      int ended = terminateClientSessions(c);
      String lsn = string(c, "SELECT pg_current_wal_lsn()::text");
      log.info(
          "fenced the primary of {} for run {} at {}: read-only, NOLOGIN {}, {} sessions ended",
          target,
          input.runId(),
          lsn,
          record.roles(),
          ended);
      return new Fencing(lsn, fencedAt, record.readOnlyChanged(), record.roles(), ended);
    } catch (SQLException e) {
      throw failure("fence the primary of " + target, e);
    }
  }

  String unfence(FenceInput input) {
    String target = input.target();
    try (Connection c = admin(connections.replica(target, server(input)))) {
      FenceRecord record = fenceRecord(c);
      if (record == null) {
        return "the primary of " + target + " (" + server(input) + ") is not fenced";
      }
      if (!record.runId().equals(input.runId())) {
        throw FailureType.CONFLICT.failure(
            "the primary of "
                + target
                + " ("
                + server(input)
                + ")"
                + " is fenced by run "
                + record.runId()
                + ", not by "
                + input.runId()
                + "; left as it is. Unfence it by hand if that run is over (runbooks/failover.md).");
      }
      for (String role : record.roles()) {
        Jdbc.execute(c, "ALTER ROLE " + Jdbc.identifier(role) + " LOGIN");
      }
      if (record.readOnlyChanged()) {
        Jdbc.execute(c, "ALTER SYSTEM RESET default_transaction_read_only");
      }
      FailoverSql.knowSetting(c, FenceRecord.SETTING);
      Jdbc.execute(c, "ALTER SYSTEM RESET " + FenceRecord.SETTING);
      Jdbc.bool(c, "SELECT pg_reload_conf()");
      log.info("unfenced the primary of {} (run {})", target, input.runId());
      return "writes resumed on the primary of "
          + target
          + (record.roles().isEmpty() ? "" : "; LOGIN again: " + String.join(", ", record.roles()));
    } catch (SQLException e) {
      throw failure("unfence the primary of " + target, e);
    }
  }

  /** The member preflight found to be the primary (runs from before members: the configured). */
  private String server(FenceInput input) {
    return targets.memberOrConfiguredPrimary(input.target(), input.server());
  }

  private static FenceRecord fenceRecord(Connection c) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT setting FROM pg_file_settings WHERE name = ? AND error IS NULL"
                + " ORDER BY seqno DESC LIMIT 1")) {
      s.setString(1, FenceRecord.SETTING);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? FenceRecord.decode(rs.getString(1)) : null;
      }
    }
  }

  /** The configured roles that exist, else every login role but superusers, replication, us. */
  private List<String> applicationRoles(Connection c, String target) throws SQLException {
    List<String> configured = targets.settings(target).fenceRoles();
    List<String> roles = new ArrayList<>();
    String sql =
        configured != null
            ? "SELECT rolname FROM pg_roles WHERE rolname = ANY (?) AND rolcanlogin ORDER BY 1"
            : "SELECT rolname FROM pg_roles WHERE rolcanlogin AND NOT rolsuper AND NOT"
                + " rolreplication AND rolname <> current_user AND rolname !~ '^pg_' ORDER BY 1";
    try (PreparedStatement s = c.prepareStatement(sql)) {
      if (configured != null) {
        s.setArray(1, c.createArrayOf("text", configured.toArray()));
      }
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          roles.add(rs.getString(1));
        }
      }
    }
    return roles;
  }

  /**
   * Ends every client session but this one: a session open before fencing may sit in a read-write
   * transaction and commit after the final position is read. WAL senders are not client backends,
   * so replication goes on.
   */
  private static int terminateClientSessions(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                    + " WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
