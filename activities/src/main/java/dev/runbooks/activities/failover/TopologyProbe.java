package dev.runbooks.activities.failover;

import static dev.runbooks.activities.failover.FailoverSql.problem;

import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.postgres.MemberState;
import dev.runbooks.activities.postgres.ReplicaProbe;
import dev.runbooks.activities.postgres.ResolvedTopology;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.failover.FailoverSettings;
import dev.runbooks.workflows.failover.PrimaryProbe;
import dev.runbooks.workflows.failover.PrimaryState;
import dev.runbooks.workflows.failover.ReplicaState;
import dev.runbooks.workflows.failover.Topology;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The failover's preflight step: which member is the primary now (topology resolution), every other
 * member as it is, and whether a primary that does not answer is really down. Changes nothing; it
 * refuses a topology the failover must not touch (split brain, a fenced primary, every member in
 * recovery, a replica whose primary_conninfo holds a password).
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
    ResolvedTopology resolved = connections.topology(target);
    PrimaryState primary = primary(target, resolved);
    List<ReplicaState> replicas = new ArrayList<>();
    List<String> withPassword = new ArrayList<>();
    for (MemberState m : resolved.members()) {
      if (!m.name().equals(primary.name())) {
        replicas.add(replica(target, m, primary, withPassword));
      }
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
    return new Topology(primary, replicas, settings, resolution(resolved));
  }

  /** Down while no member takes writes, on each of {@value #DOWN_ATTEMPTS} attempts. */
  PrimaryProbe confirmDown(String target) {
    String last = "";
    for (int attempt = 1; attempt <= DOWN_ATTEMPTS; attempt++) {
      ResolvedTopology now = connections.topology(target);
      if (now.members().stream().anyMatch(MemberState::writable)) {
        return new PrimaryProbe(false, attempt, "");
      }
      last = String.join("; ", now.evidence());
      log.info("no member of {} takes writes on attempt {}: {}", target, attempt, last);
      if (attempt < DOWN_ATTEMPTS) {
        FailoverSql.sleep(downInterval);
      }
    }
    return new PrimaryProbe(true, DOWN_ATTEMPTS, last);
  }

  /**
   * The member that takes writes; with none, the primary that went down (the one the failover
   * published last, else the configured one). A topology no failover may touch is refused: split
   * brain, a former primary behind the published one, a fenced or read-only member and no writable
   * one, every member in recovery.
   */
  private PrimaryState primary(String target, ResolvedTopology resolved) {
    Optional<MemberState> found = resolved.primaryMember();
    if (found.isPresent()) {
      MemberState p = found.get();
      return new PrimaryState(p.name(), p.address(), true, "", p.lsn(), p.timeline());
    }
    boolean blocked =
        resolved.members().stream()
            .anyMatch(m -> m.writable() || m.fenced() || (m.reachable() && !m.inRecovery()));
    Optional<MemberState> down =
        resolved.members().stream()
            .filter(m -> !m.reachable())
            .filter(m -> m.name().equals(resolved.lastKnownPrimary()))
            .findFirst()
            .or(() -> resolved.members().stream().filter(m -> !m.reachable()).findFirst());
    if (blocked || down.isEmpty()) {
      throw resolved.refused();
    }
    MemberState d = down.get();
    return new PrimaryState(d.name(), d.address(), false, d.problem(), null, 0);
  }

  private static String resolution(ResolvedTopology resolved) {
    if (resolved.primary() != null) {
      return "primary " + resolved.primary() + ": " + resolved.decision();
    }
    return "no member takes writes: " + String.join("; ", resolved.evidence());
  }

  private ReplicaState replica(
      String target, MemberState member, PrimaryState primary, List<String> withPassword) {
    String name = member.name();
    String address = member.address();
    try (Connection c = connections.replica(target, name)) {
      ReplicaProbe.State state = ReplicaProbe.read(c);
      if (!state.inRecovery()) {
        return ReplicaState.notInRecovery(
            name,
            address,
            "not in recovery: "
                + (member.fenced()
                    ? member.state() + "; rejoin it as a replica first (runbooks/failover.md)"
                    : "it takes writes itself (promoted earlier?)"));
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
}
