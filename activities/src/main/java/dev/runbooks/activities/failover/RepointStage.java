package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.admin;
import static dev.runbooks.activities.failover.FailoverSql.failure;
import static dev.runbooks.activities.failover.FailoverSql.string;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.Repoint;
import dev.runbooks.workflows.failover.RepointInput;
import dev.runbooks.workflows.shared.ActivityProgress;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's repoint step: a remaining replica's primary_conninfo aimed at the new primary
 * (ALTER SYSTEM and a reload, every other keyword kept), then a wait until it streams from there. A
 * replica it cannot repoint is reported with what to do by hand, not failed. A replica that does
 * not accept connections (restarting, or still starting) is waited for, within a bound.
 */
final class RepointStage {
  /** How long a replica that refuses connections is waited for: a restart takes seconds. */
  static final Duration RESTART_WAIT = Duration.ofSeconds(15);

  private static final Logger log = LoggerFactory.getLogger(RepointStage.class);
  private static final Duration RETRY_INTERVAL = Duration.ofMillis(250);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final Duration streamingWait;
  private final Duration restartWait;

  RepointStage(TargetConnections connections, FailoverTargets targets, Duration streamingWait) {
    this.connections = connections;
    this.targets = targets;
    this.streamingWait = streamingWait;
    this.restartWait = RESTART_WAIT;
  }

  Repoint repoint(RepointInput input) {
    Endpoint to = targets.endpoint(input.target(), input.newPrimary());
    String replica = input.replica();
    Connection opened;
    try {
      opened = open(input.target(), replica);
    } catch (SQLException e) {
      if (!SqlFaults.isTransient(e)) {
        throw failure("repoint replica " + replica, e);
      }
      return new Repoint(
          replica,
          false,
          false,
          "replica "
              + replica
              + " did not accept connections within "
              + restartWait.toSeconds()
              + " s ("
              + SqlFaults.describe(e)
              + "): start it, then set its primary_conninfo to reach "
              + input.newPrimary()
              + " at "
              + to.address()
              + " and run SELECT pg_reload_conf() there");
    }
    try (Connection c = opened) {
      if (!Jdbc.bool(c, "SELECT pg_is_in_recovery()")) {
        return new Repoint(
            replica,
            false,
            false,
            "replica "
                + replica
                + " is not in recovery (it takes writes itself); rebuild it from "
                + input.newPrimary()
                + " with pg_basebackup");
      }
      String current = string(c, "SHOW primary_conninfo");
      if (Conninfo.hasPassword(current)) {
        // Preflight refuses this; a replica changed since must not get its password logged either.
        return new Repoint(
            replica, false, false, Passfiles.refusal(input.target(), List.of(replica)));
      }
      String wanted;
      try {
        wanted = Conninfo.withServer(current, to.host(), to.port());
      } catch (IllegalArgumentException e) {
        return new Repoint(
            replica,
            false,
            false,
            "set primary_conninfo of replica "
                + replica
                + " to reach "
                + to.address()
                + " by hand, then SELECT pg_reload_conf(): "
                + e.getMessage());
      }
      boolean changed = !wanted.equals(current);
      if (changed) {
        FailoverSql.alterSystem(c, "primary_conninfo", wanted);
        Jdbc.bool(c, "SELECT pg_reload_conf()");
      }
      boolean streaming = FailoverSql.awaitStreaming(c, to.port(), streamingWait);
      String detail =
          streaming
              ? replica + " streams from " + input.newPrimary() + " at " + to.address()
              : "replica "
                  + replica
                  + " points at "
                  + to.address()
                  + " but does not stream within "
                  + streamingWait.toSeconds()
                  + " s; read its server log: if it replayed WAL the new primary does not have,"
                  + " rebuild it (pg_rewind or pg_basebackup from "
                  + input.newPrimary()
                  + ")";
      return new Repoint(replica, changed, streaming, detail);
    } catch (SQLException e) {
      throw failure("repoint replica " + replica, e);
    }
  }

  /**
   * An admin session on the replica. A server that refuses connections or is starting up (a
   * transient SQLSTATE) is tried again until {@link #restartWait} has passed.
   */
  private Connection open(String target, String replica) throws SQLException {
    long deadline = System.nanoTime() + restartWait.toNanos();
    for (int attempt = 1; ; attempt++) {
      try {
        return admin(connections.replica(target, replica));
      } catch (SQLException e) {
        if (!SqlFaults.isTransient(e) || System.nanoTime() > deadline) {
          throw e;
        }
        if (attempt == 1) {
          log.info(
              "replica {} does not accept connections yet, waiting: {}", replica, e.getMessage());
        }
        FailoverSql.heartbeat(new ActivityProgress("repoint", 0, 0, "connection attempts"));
        FailoverSql.sleep(RETRY_INTERVAL);
      }
    }
  }
}
