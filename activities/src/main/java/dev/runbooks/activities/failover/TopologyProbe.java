package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.problem;

import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.ReplicaProbe;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.FailoverSettings;
import dev.runbooks.workflows.failover.PrimaryProbe;
import dev.runbooks.workflows.failover.PrimaryState;
import dev.runbooks.workflows.failover.ReplicaState;
import dev.runbooks.workflows.failover.Topology;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's preflight step: the primary and every configured replica as they are now, and
 * whether a primary that does not answer is really down. Changes nothing; it refuses a topology the
 * failover must not touch (a configured primary that is a replica, a replica whose primary_conninfo
 * holds a password).
 */
final class TopologyProbe {
  static final int DOWN_ATTEMPTS = 3;

  private static final Logger log = LoggerFactory.getLogger(TopologyProbe.class);

  private final TargetConnections connections;
  private final FailoverTargets targets;
  private final Duration downInterval;

  TopologyProbe(TargetConnections connections, FailoverTargets targets, Duration downInterval) {
    this.connections = connections;
    this.targets = targets;
    this.downInterval = downInterval;
  }

  Topology inspect(String target) {
    FailoverConfig config = targets.settings(target);
    PrimaryState primary = primary(target);
    List<ReplicaState> replicas = new ArrayList<>();
    List<String> withPassword = new ArrayList<>();
    for (String name : connections.replicaNames(target)) {
      replicas.add(replica(target, name, primary, withPassword));
    }
    if (!withPassword.isEmpty()) {
      throw FailureType.PREFLIGHT_FAILED.failure(Passfiles.refusal(target, withPassword));
    }
    FailoverSettings settings =
        FailoverSettings.of(
            config.approval(),
            config.catchUpTimeout(),
            config.maxLagBytes(),
            config.hook(),
            config.pooler() == null ? null : config.pooler().address());
    return new Topology(primary, replicas, settings);
  }

  PrimaryProbe confirmDown(String target) {
    String last = "";
    for (int attempt = 1; attempt <= DOWN_ATTEMPTS; attempt++) {
      try (Connection c = connections.primary(target)) {
        Jdbc.bool(c, "SELECT true");
        return new PrimaryProbe(false, attempt, "");
      } catch (SQLException e) {
        last = problem(e);
        log.info("primary of {} down on attempt {}: {}", target, attempt, last);
      }
      if (attempt < DOWN_ATTEMPTS) {
        FailoverSql.sleep(downInterval);
      }
    }
    return new PrimaryProbe(true, DOWN_ATTEMPTS, last);
  }

  private PrimaryState primary(String target) {
    String address = address(target, FailoverTargets.PRIMARY);
    try (Connection c = connections.primary(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT pg_is_in_recovery(), CASE WHEN pg_is_in_recovery() THEN NULL ELSE"
                    + " pg_current_wal_lsn()::text END")) {
      rs.next();
      if (rs.getBoolean(1)) {
        throw FailureType.PREFLIGHT_FAILED.failure(
            "the configured primary of "
                + target
                + " at "
                + address
                + " is in recovery: it is a replica. Nothing was changed. If a failover already"
                + " happened, update targets."
                + target
                + " in runbooks.yaml so that primary: names the current primary (see the"
                + " endpoint record in the secret store).");
      }
      String lsn = rs.getString(2);
      return new PrimaryState(
          FailoverTargets.PRIMARY, address, true, "", lsn, FailoverSql.timeline(c));
    } catch (SQLException e) {
      return new PrimaryState(FailoverTargets.PRIMARY, address, false, problem(e), null, 0);
    }
  }

  private ReplicaState replica(
      String target, String name, PrimaryState primary, List<String> withPassword) {
    String address = address(target, name);
    try (Connection c = connections.replica(target, name)) {
      ReplicaProbe.State state = ReplicaProbe.read(c);
      if (!state.inRecovery()) {
        return ReplicaState.notInRecovery(
            name, address, "not in recovery: it takes writes itself (promoted earlier?)");
      }
      if (Passfiles.conninfoHoldsPassword(c)) {
        withPassword.add(name);
      }
      ReplicaProbe.Lag lag = state.lagBehind(primary.currentLsn());
      return new ReplicaState(
          name,
          address,
          true,
          "",
          state.streaming(),
          state.replayPaused(),
          state.receiveLsn(),
          state.replayLsn(),
          lag == null ? null : lag.bytes(),
          lag == null ? null : lag.time(),
          state.primaryEndLsn());
    } catch (SQLException e) {
      return ReplicaState.unreachable(name, address, problem(e));
    }
  }

  private String address(String target, String server) {
    return targets.endpoint(target, server).address();
  }
}
