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
import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's rejoin step: the old primary rewound (pg_rewind) and started as a replica of the
 * new one when the worker runs on its host and was asked to, else the manual steps to do so. It
 * never fails the run: whatever it could not do becomes a manual step.
 */
final class RejoinStage {
  private static final Logger log = LoggerFactory.getLogger(RejoinStage.class);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final Optional<PgBinaries> binaries;
  private final Duration streamingWait;

  RejoinStage(
      TargetConnections connections,
      FailoverTargets targets,
      Optional<PgBinaries> binaries,
      Duration streamingWait) {
    this.connections = connections;
    this.targets = targets;
    this.binaries = binaries;
    this.streamingWait = streamingWait;
  }

  Rejoin rejoin(RejoinInput input) {
    String oldName = input.oldPrimary() == null ? FailoverTargets.PRIMARY : input.oldPrimary();
    Endpoint old = targets.endpoint(input.target(), oldName);
    Endpoint now = targets.endpoint(input.target(), input.newPrimary());
    List<String> steps = manualSteps(input, old, now);
    String configStep = steps.get(steps.size() - 1);
    if (!input.attempt()) {
      return new Rejoin(false, "not asked to rejoin (--rejoin); manual steps listed", steps);
    }
    if (input.oldPrimaryDown()) {
      return new Rejoin(false, "not rejoined: the old primary is down; manual steps listed", steps);
    }
    String why;
    try {
      why = rewind(input.target(), oldName, input.newPrimary(), now);
    } catch (SQLException | IOException | IllegalStateException e) {
      log.warn("rejoin of the old primary of {} failed: {}", input.target(), e.getMessage());
      why = "the rewind failed: " + e.getMessage();
    }
    if (why == null) {
      return new Rejoin(
          true,
          "rewound with pg_rewind; the old primary streams from " + input.newPrimary(),
          List.of(configStep));
    }
    return new Rejoin(false, "not rejoined: " + why + "; manual steps listed", steps);
  }

  /** What a person does to rejoin the old primary; the last step updates the configuration. */
  private static List<String> manualSteps(RejoinInput input, Endpoint old, Endpoint now) {
    List<String> steps = new ArrayList<>();
    String where = "on the old primary's host (" + old.address() + ")";
    if (input.oldPrimaryDown()) {
      steps.add("keep the old primary stopped: it is not fenced and would take writes");
    }
    steps.add(
        where
            + ": pg_ctl -D DATADIR stop -m fast (DATADIR: SHOW data_directory on it, or the"
            + " service's setting)");
    steps.add(
        where
            + ": pg_rewind --target-pgdata=DATADIR --source-server='host="
            + now.host()
            + " port="
            + now.port()
            + " user=SUPERUSER dbname="
            + now.database()
            + "' --write-recovery-conf (it needs wal_log_hints=on or data checksums; otherwise"
            + " rebuild it with pg_basebackup -R from "
            + now.address()
            + ")");
    steps.add(
        where
            + ": remove the lines default_transaction_read_only and "
            + FenceRecord.SETTING
            + " from DATADIR/postgresql.auto.conf, then pg_ctl -D DATADIR start, and check"
            + " that pg_stat_wal_receiver shows it streaming from "
            + now.address());
    steps.add(
        "nothing to edit in runbooks.yaml: every runbook finds the primary among targets."
            + input.target()
            + "'s servers when it starts ("
            + input.newPrimary()
            + " at "
            + now.address()
            + " now); keep the old primary ("
            + old.address()
            + ") listed, fenced or as a replica (runbooks/failover.md, \"Topology\")");
    return steps;
  }

  /**
   * Rewinds the old primary and starts it as a replica of {@code now}, when this worker runs on its
   * host. Returns why not, or null when it streams from the new primary. Run again, it finds the
   * old primary streaming already.
   */
  private String rewind(String target, String oldName, String newPrimary, Endpoint now)
      throws SQLException, IOException {
    if (binaries.isEmpty()) {
      return "the worker has no PostgreSQL server programs (pg_ctl, pg_rewind)";
    }
    Path dataDir;
    try (Connection c = admin(connections.replica(target, oldName))) {
      if (Jdbc.bool(c, "SELECT pg_is_in_recovery()")) {
        return FailoverSql.awaitStreaming(c, now.port(), streamingWait)
            ? null
            : "the old primary is a replica but does not stream from " + now.address();
      }
      dataDir = Path.of(string(c, "SHOW data_directory"));
      String cannot = Rewind.cannot(dataDir);
      if (cannot != null) {
        return cannot;
      }
      if (!Jdbc.bool(
          c,
          "SELECT current_setting('wal_log_hints') = 'on'"
              + " OR current_setting('data_checksums') = 'on'")) {
        return "wal_log_hints is off and the data has no checksums, so pg_rewind cannot run;"
            + " rebuild it with pg_basebackup";
      }
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
    new Rewind(binaries.get(), dataDir)
        .run(Conninfo.format(source), login.password(), primaryConninfo);
    try (Connection c = connections.replica(target, oldName)) {
      return FailoverSql.awaitStreaming(c, now.port(), streamingWait)
          ? null
          : "the rewound old primary started but does not stream from "
              + now.address()
              + " within "
              + streamingWait.toSeconds()
              + " s; see "
              + dataDir.resolve("runbooks-rejoin.log");
    }
  }
}
