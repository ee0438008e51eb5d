package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.admin;
import static dev.runbooks.activities.failover.FailoverSql.string;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.failover.Rejoin;
import dev.runbooks.workflows.failover.RejoinInput;
import dev.runbooks.workflows.failover.ServerState;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's rejoin step: the old primary rewound (pg_rewind) and started as a replica of the
 * new one when the worker runs on its host and was asked to, else the manual steps to do so. It
 * never fails the run. Whatever happened, it reads every server back, so the result says what holds
 * and not what was meant to; a rejoin that stopped half-way says exactly what to do next.
 *
 * <p>pg_rewind reads the old primary's WAL back to the last checkpoint before the new timeline
 * began. On default settings (wal_keep_size 0, no slot, no archive) the clean shutdown's checkpoint
 * recycles that WAL, so a physical slot ({@value RejoinSteps#SLOT}) created just before the stop
 * keeps it from the last checkpoint's redo point on; the slot is dropped once the server streams.
 */
final class RejoinStage {
  private static final Logger log = LoggerFactory.getLogger(RejoinStage.class);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final Optional<PgBinaries> binaries;
  private final Duration streamingWait;
  private final ServerStates states;

  RejoinStage(
      TargetConnections connections,
      FailoverTargets targets,
      Optional<PgBinaries> binaries,
      Duration streamingWait) {
    this.connections = connections;
    this.targets = targets;
    this.binaries = binaries;
    this.streamingWait = streamingWait;
    this.states = new ServerStates(connections, targets);
  }

  Rejoin rejoin(RejoinInput input) {
    String target = input.target();
    String oldName = targets.memberOrConfiguredPrimary(target, input.oldPrimary());
    Endpoint now = targets.endpoint(target, input.newPrimary());
    RejoinSteps steps =
        new RejoinSteps(target, input.newPrimary(), targets.endpoint(target, oldName), now);
    if (!input.attempt() || input.oldPrimaryDown()) {
      String why =
          input.oldPrimaryDown()
              ? "not rejoined: the old primary is down; manual steps listed"
              : "not asked to rejoin (--rejoin); manual steps listed";
      return new Rejoin(
          false,
          false,
          why,
          steps.procedure(input.oldPrimaryDown()),
          states.read(target, oldName, null));
    }
    Attempt attempt = new Attempt();
    String why;
    try {
      why = rewind(target, oldName, input.newPrimary(), now, attempt);
    } catch (SQLException | IOException | IllegalStateException e) {
      log.warn("rejoin of the old primary of {} failed: {}", target, e.getMessage());
      why = e.getMessage();
    }
    List<ServerState> servers = states.read(target, oldName, attempt.dataDir);
    ServerState old = servers.get(0);
    if (why == null && old.streamsFrom(input.newPrimary())) {
      return new Rejoin(
          true,
          true,
          "rewound with pg_rewind; the old primary streams from " + input.newPrimary(),
          List.of(steps.configuration()),
          servers);
    }
    if (why == null) {
      why = "it was started but reads back as: " + old.describe();
    }
    Rewind.Phase phase = attempt.rewind == null ? attempt.phase : attempt.rewind.phase();
    if (phase == Rewind.Phase.RUNNING) {
      dropSlot(target, oldName);
    }
    List<String> next =
        switch (phase) {
          case RUNNING ->
              attempt.rebuild
                  ? steps.rebuild(attempt.dataDir, attempt.owner(), attempt.user, old.running())
                  : steps.procedure(false);
          case STOPPED ->
              steps.rebuild(attempt.dataDir, attempt.owner(), attempt.user, old.running());
          case REWOUND, STARTED -> steps.start(attempt.dataDir);
        };
    return new Rejoin(false, true, "not rejoined: " + why, next, servers);
  }

  /** What one rejoin got to, for the next step when it stops. */
  private static final class Attempt {
    /** Before a Rewind runs: RUNNING, STOPPED when it does not answer, STARTED when a replica. */
    Rewind.Phase phase = Rewind.Phase.RUNNING;

    Path dataDir;
    Rewind rewind;
    String user = "SUPERUSER";
    boolean rebuild;

    String owner() {
      return rewind == null ? null : rewind.owner();
    }
  }

  /**
   * Rewinds the old primary and starts it as a replica of {@code now}, when this worker runs on its
   * host. Returns why not, or null when it was started. Run again, it finds the old primary a
   * replica already and leaves the judgement to what is read back.
   */
  private String rewind(
      String target, String oldName, String newPrimary, Endpoint now, Attempt attempt)
      throws SQLException, IOException {
    if (binaries.isEmpty()) {
      return "the worker has no PostgreSQL server programs (pg_ctl, pg_rewind)";
    }
    boolean restoreTargetWal;
    Connection first;
    try {
      first = admin(connections.replica(target, oldName));
    } catch (SQLException e) {
      // An earlier attempt of this step may have stopped it: only a rebuild is safe now.
      attempt.phase = Rewind.Phase.STOPPED;
      throw e;
    }
    try (Connection c = first) {
      attempt.dataDir = Path.of(string(c, "SHOW data_directory"));
      if (Jdbc.bool(c, "SELECT pg_is_in_recovery()")) {
        // Rewound by an earlier attempt of this step: what is read back decides.
        attempt.phase = Rewind.Phase.STARTED;
        return FailoverSql.awaitStreaming(c, now.port(), streamingWait) ? dropSlot(c) : null;
      }
      String cannot = Rewind.cannot(attempt.dataDir);
      if (cannot != null) {
        return cannot;
      }
      if (!Jdbc.bool(
          c,
          "SELECT current_setting('wal_log_hints') = 'on'"
              + " OR current_setting('data_checksums') = 'on'")) {
        attempt.rebuild = true;
        return "wal_log_hints is off and the data has no checksums, so pg_rewind cannot run;"
            + " it must be rebuilt with pg_basebackup";
      }
      restoreTargetWal = Jdbc.bool(c, "SELECT current_setting('restore_command') <> ''");
    }
    String streamFrom;
    try (Connection c = admin(connections.replica(target, newPrimary))) {
      // pg_rewind reads the new timeline from the source's control file: write it now.
      Jdbc.execute(c, "CHECKPOINT");
      String conninfo = string(c, "SHOW primary_conninfo");
      streamFrom = conninfo == null || conninfo.isBlank() ? null : conninfo;
    }
    if (streamFrom != null && Conninfo.hasPassword(streamFrom)) {
      return Passfiles.refusal(target, List.of(newPrimary));
    }
    ConnectionSpec login = connections.connectionSpec(target);
    attempt.user = login.user();
    List<Conninfo.Pair> source =
        List.of(
            new Conninfo.Pair("host", now.host()),
            new Conninfo.Pair("port", Integer.toString(now.port())),
            new Conninfo.Pair("user", login.user()),
            new Conninfo.Pair("dbname", now.database()),
            new Conninfo.Pair("sslmode", now.sslmode()));
    String primaryConninfo =
        streamFrom != null
            ? Conninfo.withServer(streamFrom, now.host(), now.port())
            : Conninfo.format(source);
    attempt.rewind = new Rewind(binaries.get(), attempt.dataDir);
    try (Connection c = admin(connections.replica(target, oldName))) {
      // Keeps the WAL from the last checkpoint's redo point through the shutdown checkpoint.
      Jdbc.execute(
          c,
          "SELECT pg_create_physical_replication_slot('"
              + RejoinSteps.SLOT
              + "', true) WHERE NOT EXISTS (SELECT FROM pg_replication_slots WHERE slot_name = '"
              + RejoinSteps.SLOT
              + "')");
    }
    attempt.rewind.run(
        Conninfo.format(source), login.password(), primaryConninfo, restoreTargetWal);
    try (Connection c = admin(connections.replica(target, oldName))) {
      return FailoverSql.awaitStreaming(c, now.port(), streamingWait)
          ? dropSlot(c)
          : "the rewound old primary started but does not stream from "
              + now.address()
              + " within "
              + streamingWait.toSeconds()
              + " s; see "
              + attempt.dataDir.resolve("runbooks-rejoin.log");
    }
  }

  /** Drops the slot that kept the WAL for pg_rewind (a replica too can drop it); returns null. */
  private static String dropSlot(Connection c) throws SQLException {
    Jdbc.execute(
        c,
        "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
            + RejoinSteps.SLOT
            + "'");
    return null;
  }

  /** A rejoin that stopped before pg_ctl stop must not leave the slot holding WAL for ever. */
  private void dropSlot(String target, String oldName) {
    try (Connection c = admin(connections.replica(target, oldName))) {
      dropSlot(c);
    } catch (SQLException e) {
      log.warn(
          "could not drop the slot {} on the old primary {} of {}: {}",
          RejoinSteps.SLOT,
          oldName,
          target,
          e.getMessage());
    }
  }
}
