package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.MemberState;
import dev.runbooks.activities.postgres.ReplicaProbe;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.postgres.TopologyResolver;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replicas check: each configured replica seen from itself (in recovery, replay paused, WAL
 * receiver streaming, lag behind the primary), then the primary's own view of who streams from it.
 */
final class ReplicaCheck {
  static final String NAME = "replicas";
  private static final Logger log = LoggerFactory.getLogger(ReplicaCheck.class);

  /** A row of the primary's pg_stat_replication. Columns are null when the role cannot see them. */
  private record Sender(
      String application,
      String client,
      String state,
      String sentLsn,
      String replayLsn,
      Duration replayLag,
      String syncState,
      Long lagBytes) {
    String describe() {
      if (state == null) {
        return "application_name " + application + ": details not visible to this role";
      }
      return "application_name "
          + application
          + (client == null ? "" : " from " + client)
          + ": state "
          + state
          + ", sent "
          + sentLsn
          + ", replayed "
          + replayLsn
          + (lagBytes == null ? "" : " (" + Text.bytes(lagBytes) + " behind)")
          + ", replay_lag "
          + (replayLag == null ? "none" : Text.duration(replayLag))
          + ", "
          + syncState;
    }
  }

  private final TargetConnections connections;
  private final CheckThresholds thresholds;
  private final String target;

  ReplicaCheck(TargetConnections connections, CheckThresholds thresholds, String target) {
    this.connections = connections;
    this.thresholds = thresholds;
    this.target = target;
  }

  List<Finding> run(List<String> replicas) {
    Connection primary = null;
    String primaryProblem = null;
    try {
      primary = Sql.prepare(connections.primary(target));
    } catch (SQLException e) {
      Sql.authenticationOr(e, primaryName());
      primaryProblem = "cannot connect to " + primaryName() + ": " + Text.cause(e);
    }
    try {
      List<Sender> senders = null;
      String role = "<admin role>";
      if (primary != null) {
        try {
          role = Sql.quotedCurrentUser(primary);
          if (Jdbc.bool(primary, "SELECT pg_is_in_recovery()")) {
            primaryProblem = primaryName() + " is in recovery (see the connectivity check)";
          } else {
            senders = senders(primary);
          }
        } catch (SQLException e) {
          primaryProblem = "could not query " + primaryName() + ": " + Text.cause(e);
        }
      }
      Connection usable = primaryProblem == null ? primary : null;
      List<Finding> findings = new ArrayList<>();
      for (String name : replicas) {
        findings.add(replica(name, usable, primaryProblem, senders));
      }
      findings.add(primaryView(replicas.size(), senders, primaryProblem, role));
      return findings;
    } finally {
      if (primary != null) {
        try {
          primary.close();
        } catch (SQLException e) {
          log.debug("Closing the connection to {} failed: {}", primaryName(), Text.cause(e));
        }
      }
    }
  }

  private Finding replica(
      String name, Connection primary, String primaryProblem, List<Sender> senders) {
    String replica = "replica " + name + " of " + target;
    Connection r;
    try {
      r = Sql.prepare(connections.replica(target, name));
    } catch (SQLException e) {
      Sql.authenticationOr(e, replica);
      return new Finding(
          NAME,
          CRITICAL,
          "replica " + name + " is unreachable: " + Text.cause(e),
          "Check that PostgreSQL runs on replica "
              + name
              + " and accepts connections from this worker; a failover cannot use it until it"
              + " does",
          List.of());
    }
    try (r) {
      return inspect(name, r, primary, primaryProblem, senders);
    } catch (SQLException e) {
      log.warn("Check of {} failed: {}", replica, Text.cause(e));
      return new Finding(
          NAME,
          Sql.connectionLost(e) ? CRITICAL : WARN,
          "could not check replica " + name + ": " + Text.cause(e),
          Sql.privilegeMissing(e)
              ? "Grant the admin role pg_monitor (GRANT pg_monitor TO <admin role>;)"
              : "Look at replica " + name + "'s server log, then check again",
          List.of());
    }
  }

  private Finding inspect(
      String name, Connection r, Connection primary, String primaryProblem, List<Sender> senders)
      throws SQLException {
    ReplicaProbe.State state = ReplicaProbe.read(r);
    MemberState member = state.inRecovery() ? null : TopologyResolver.probe(name, "", r);
    if (member != null && member.fenced()) {
      return new Finding(
          NAME,
          WARN,
          "replica "
              + name
              + " is a former primary, "
              + member.state()
              + ": it takes no writes,"
              + " and no replica streams from it until it is rejoined",
          "Rejoin it as a replica of the primary (runbooks/failover.md, \"Rejoin the old"
              + " primary\"); until then the target has one replica less",
          List.of());
    }
    if (!state.inRecovery()) {
      return new Finding(
          NAME,
          CRITICAL,
          "replica " + name + " is not a replica: it is not in recovery and accepts writes",
          "If it was promoted, rebuild it from the current primary (pg_basebackup) or correct the"
              + " target's configuration: two writable servers risk split brain",
          List.of());
    }
    boolean paused = state.replayPaused();
    boolean receiverRuns = state.receiverRuns();
    String status = state.receiverStatus();
    String primaryLsn = null;
    ReplicaProbe.Lag behind = null;
    if (primary != null && state.replayLsn() != null) {
      // The replica was read first, so it can only have moved on: never reported ahead.
      primaryLsn = Jdbc.string(primary, "SELECT pg_current_wal_lsn()::text").orElse(null);
      behind = state.lagBehind(primaryLsn);
    }
    Long lagBytes = behind == null ? null : behind.bytes();
    Duration lagTime = behind == null ? null : behind.time();

    Severity severity = OK;
    Set<String> advice = new LinkedHashSet<>();
    String streaming;
    if (!receiverRuns) {
      severity = CRITICAL;
      streaming = "not streaming (no WAL receiver runs)";
      advice.add(notStreamingAdvice(name));
    } else if (status == null) {
      severity = WARN;
      streaming = "WAL receiver status not visible to this role";
      advice.add("As a superuser, run: GRANT pg_monitor TO " + Sql.quotedCurrentUser(r) + ";");
    } else if (!"streaming".equals(status)) {
      severity = CRITICAL;
      streaming = "not streaming (WAL receiver " + status + ")";
      advice.add(notStreamingAdvice(name));
    } else {
      streaming = "streaming";
    }
    if (paused) {
      severity = worse(severity, WARN);
      advice.add(
          "Replay is paused: unless someone paused it on purpose, run on replica "
              + name
              + ": SELECT pg_wal_replay_resume(); do not fail over to it until it has caught up");
    }
    String lag;
    if (lagBytes == null) {
      lag =
          "lag unknown: "
              + (primaryProblem != null ? primaryProblem : "the replica has replayed no WAL yet");
      severity = worse(severity, WARN);
      advice.add(
          primaryProblem != null
              ? "Fix the primary first (see the connectivity check): the lag is measured against it"
              : "Look at replica " + name + "'s server log: it should start replaying shortly");
    } else if (lagBytes == 0) {
      lag = "caught up with the primary";
    } else {
      lag =
          "replay "
              + Text.bytes(lagBytes)
              + " ("
              + lagBytes
              + " bytes)"
              + (lagTime == null ? "" : " and " + Text.duration(lagTime))
              + " behind the primary";
      Severity lagSeverity =
          lagBytes >= thresholds.lagCriticalBytes()
              ? CRITICAL
              : lagBytes >= thresholds.lagWarnBytes()
                      || (lagTime != null && lagTime.compareTo(thresholds.lagWarnTime()) >= 0)
                  ? WARN
                  : OK;
      severity = worse(severity, lagSeverity);
      // A paused replica lags because of the pause; its advice already says so.
      if (lagSeverity != OK && !paused) {
        advice.add(
            "Find what slows replay on "
                + name
                + " (I/O, conflicting queries, network) and do not fail over to it until it has"
                + " caught up");
      }
    }

    List<String> details = new ArrayList<>();
    details.add(
        "receive LSN "
            + state.receiveLsn()
            + ", replay LSN "
            + state.replayLsn()
            + ", primary's current LSN "
            + (primaryLsn == null ? "unknown" : primaryLsn));
    details.add(
        "lag: "
            + (lagBytes == null ? "unknown" : lagBytes + " bytes")
            + ", "
            + (lagTime == null ? "unknown" : Text.duration(lagTime)));
    details.add("replay paused: " + (paused ? "yes" : "no"));
    if (state.lastReplayedAt() != null) {
      details.add(
          "last replayed transaction committed at "
              + state.lastReplayedAt()
              + (state.sinceReplay() == null
                  ? ""
                  : " (" + Text.duration(state.sinceReplay()) + " ago)"));
    }
    details.add(
        "WAL receiver: "
            + (receiverRuns ? (status == null ? "status not visible" : status) : "none")
            + (state.sender() == null ? "" : " from " + state.sender()));
    if (senders != null) {
      for (Sender s : senders) {
        if (name.equals(s.application())) {
          details.add("the primary's view: " + s.describe());
        }
      }
    }
    return new Finding(
        NAME,
        severity,
        "replica " + name + ": " + streaming + (paused ? ", replay paused" : "") + ", " + lag,
        String.join(" Also: ", advice),
        details,
        HealthFigures.lag(name, lagBytes, lagTime));
  }

  private static String standbys(long n) {
    return n + (n == 1 ? " standby" : " standbys");
  }

  private static String notStreamingAdvice(String name) {
    return "Check primary_conninfo and the server log of replica "
        + name
        + "; if the primary has removed WAL it still needs, rebuild it with pg_basebackup";
  }

  private static Severity worse(Severity a, Severity b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** The primary's pg_stat_replication rows of physical standbys. */
  private static List<Sender> senders(Connection primary) throws SQLException {
    List<Sender> senders = new ArrayList<>();
    try (Statement s = primary.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT r.application_name, host(r.client_addr), r.state, r.sent_lsn::text,"
                    + " r.replay_lsn::text, extract(epoch FROM r.replay_lag), r.sync_state,"
                    + " pg_wal_lsn_diff(pg_current_wal_lsn(), r.replay_lsn)::bigint"
                    + " FROM pg_stat_replication r"
                    // Logical walsenders are connected to a database; standbys are not.
                    + " LEFT JOIN pg_stat_activity a ON a.pid = r.pid"
                    + " WHERE a.datid IS NULL"
                    + " ORDER BY r.application_name, r.client_addr")) {
      while (rs.next()) {
        double lag = rs.getDouble(6);
        Duration replayLag = rs.wasNull() ? null : Text.seconds(lag);
        long bytes = rs.getLong(8);
        Long lagBytes = rs.wasNull() ? null : Math.max(0, bytes);
        senders.add(
            new Sender(
                rs.getString(1),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                replayLag,
                rs.getString(7),
                lagBytes));
      }
    }
    return senders;
  }

  /** The cross-check: does the primary stream to as many standbys as there are replicas? */
  private Finding primaryView(
      int configured, List<Sender> senders, String primaryProblem, String role) {
    if (senders == null) {
      return new Finding(
          NAME,
          WARN,
          "cannot compare the replicas with the primary's pg_stat_replication: "
              + (primaryProblem == null ? "the primary is not usable" : primaryProblem),
          "Fix the primary's connectivity first (see the connectivity check), then check again",
          List.of());
    }
    List<String> details = senders.stream().map(Sender::describe).toList();
    if (senders.stream().anyMatch(s -> s.state() == null)) {
      return new Finding(
          NAME,
          WARN,
          "the admin role cannot see the state of the primary's "
              + senders.size()
              + " WAL senders in pg_stat_replication",
          "As a superuser, run: GRANT pg_monitor TO " + role + ";",
          details);
    }
    long streaming = senders.stream().filter(s -> "streaming".equals(s.state())).count();
    if (streaming < configured) {
      return new Finding(
          NAME,
          WARN,
          "the primary streams WAL to "
              + standbys(streaming)
              + ", but "
              + configured
              + (configured == 1 ? " replica is" : " replicas are")
              + " configured",
          "A configured replica missing here does not stream from this primary (or cascades from"
              + " another replica): see its own finding",
          details);
    }
    return new Finding(
        NAME,
        OK,
        "the primary streams WAL to " + standbys(streaming) + " (" + configured + " configured)",
        "",
        details);
  }

  private String primaryName() {
    return "the primary of " + target + " at " + connections.describe(target);
  }
}
