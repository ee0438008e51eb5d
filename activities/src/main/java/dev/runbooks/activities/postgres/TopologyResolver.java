package dev.runbooks.activities.postgres;

import dev.runbooks.activities.config.MemberConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.activities.failover.FenceRecord;
import dev.runbooks.activities.secrets.SecretStore;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides which member of a target is the primary, the way libpq's {@code
 * target_session_attrs=read-write} does (out of recovery and not read-only), and more strictly: a
 * member that carries the failover's fence is never the primary, two writable members are split
 * brain, and a writable member on an older timeline than the primary the failover published is a
 * former primary that came back. The servers decide; the endpoint record is checked against them.
 */
public final class TopologyResolver {
  private static final Logger log = LoggerFactory.getLogger(TopologyResolver.class);

  private static final String PROBE =
      "SELECT pg_is_in_recovery(),"
          + " (SELECT reset_val FROM pg_settings WHERE name = 'default_transaction_read_only'),"
          + " current_setting('"
          + FenceRecord.SETTING
          + "', true),"
          + " CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()::text"
          + " ELSE pg_current_wal_lsn()::text END,"
          + " CASE WHEN pg_is_in_recovery() THEN NULL"
          + " ELSE pg_walfile_name(pg_current_wal_lsn()) END";

  private TopologyResolver() {}

  /** A new connection to one member, as the target's admin role. */
  @FunctionalInterface
  public interface MemberConnector {
    Connection connect(MemberConfig member) throws SQLException;
  }

  /**
   * Asks every member of the target, reads the endpoint record the failover published, and decides.
   * A member that cannot be reached is recorded as such; a refused login is not caught.
   */
  public static ResolvedTopology resolve(
      TargetConfig target, MemberConnector connector, SecretStore secrets) {
    List<MemberState> members = new ArrayList<>();
    for (MemberConfig m : target.members()) {
      String address = m.endpoint().address();
      try (Connection c = connector.connect(m)) {
        members.add(probe(m.name(), address, c));
      } catch (SQLException e) {
        members.add(MemberState.unreachable(m.name(), address, e.getMessage()));
      }
    }
    Optional<EndpointRecord> record;
    try {
      record = EndpointRecord.read(secrets, target.failover().endpointSecret());
    } catch (RuntimeException e) {
      log.warn("cannot read the endpoint record of {}: {}", target.name(), e.getMessage());
      record = Optional.empty();
    }
    return decide(target.name(), target.primaryName(), members, record);
  }

  /** What one member is, read over a connection to it. */
  public static MemberState probe(String name, String address, Connection c) throws SQLException {
    boolean inRecovery;
    boolean readOnly;
    String fence;
    String lsn;
    int timeline;
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(PROBE)) {
      rs.next();
      inRecovery = rs.getBoolean(1);
      readOnly = "on".equals(rs.getString(2));
      fence = rs.getString(3);
      lsn = rs.getString(4);
      String walFile = rs.getString(5);
      timeline =
          walFile == null ? replicaTimeline(c) : Integer.parseInt(walFile.substring(0, 8), 16);
    }
    String fencedBy = null;
    String fencedWhen = null;
    if (fence != null && !fence.isBlank()) {
      try {
        FenceRecord record = FenceRecord.decode(fence);
        fencedBy = record.runId();
        fencedWhen = record.when();
      } catch (IllegalArgumentException e) {
        fencedBy = "unknown (" + FenceRecord.SETTING + " holds \"" + fence + "\")";
        fencedWhen = "at an unknown time";
      }
    }
    return new MemberState(
        name, address, true, "", inRecovery, readOnly, fencedBy, fencedWhen, lsn, timeline);
  }

  /** The timeline a replica receives, else its last checkpoint's; 0 when it may not be read. */
  private static int replicaTimeline(Connection c) {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT coalesce((SELECT nullif(received_tli, 0) FROM pg_stat_wal_receiver),"
                    + " (SELECT timeline_id FROM pg_control_checkpoint()))")) {
      return rs.next() ? rs.getInt(1) : 0;
    } catch (SQLException e) {
      return 0;
    }
  }

  /**
   * @param configuredPrimary the member {@code primary:} (or the first of {@code members:}) names
   */
  public static ResolvedTopology decide(
      String target,
      String configuredPrimary,
      List<MemberState> members,
      Optional<EndpointRecord> record) {
    String last =
        record
            .map(EndpointRecord::primary)
            .filter(p -> members.stream().anyMatch(m -> m.name().equals(p)))
            .orElse(configuredPrimary);
    List<MemberState> writable = members.stream().filter(MemberState::writable).toList();
    List<String> warnings = new ArrayList<>();
    for (MemberState m : members) {
      if (!m.reachable()) {
        warnings.add(
            m.name()
                + " at "
                + m.address()
                + " did not answer ("
                + m.problem()
                + "): it was left out, and cannot be ruled out as a second writable member");
      }
    }
    if (writable.size() > 1) {
      return refuse(
          target,
          last,
          members,
          warnings,
          "split brain: "
              + writable.size()
              + " members take writes ("
              + String.join(", ", writable.stream().map(MemberState::name).toList())
              + "); evidence: "
              + evidence(members),
          "keep the one that should be the primary (normally the one on the highest timeline,"
              + " that the applications write to) and stop or fence every other before any"
              + " runbook runs; then rebuild or rewind those as replicas (runbooks/failover.md,"
              + " \"Split brain\").");
    }
    if (writable.isEmpty()) {
      return refuse(target, last, members, warnings, none(members), noneFix(target, members));
    }
    MemberState primary = writable.get(0);
    StringBuilder decision =
        new StringBuilder("the only writable member of ")
            .append(members.size())
            .append(" (out of recovery, not read-only, not fenced)");
    if (!primary.name().equals(configuredPrimary)) {
      members.stream()
          .filter(m -> m.name().equals(configuredPrimary))
          .findFirst()
          .ifPresent(
              m ->
                  decision
                      .append("; the configured primary ")
                      .append(m.name())
                      .append(" is ")
                      .append(m.state()));
    }
    if (record.isPresent()) {
      EndpointRecord r = record.get();
      if (r.primary().equals(primary.name())) {
        decision.append("; agrees with ").append(r.describe());
      } else if (r.timeline() > primary.timeline() && primary.timeline() > 0) {
        return refuse(
            target,
            last,
            members,
            warnings,
            primary.name()
                + " at "
                + primary.address()
                + " takes writes on timeline "
                + primary.timeline()
                + ", but "
                + r.describe()
                + " names "
                + r.primary()
                + " on the later timeline "
                + r.timeline()
                + ": "
                + primary.name()
                + " is a former primary that came back after a failover; evidence: "
                + evidence(members),
            "stop "
                + primary.name()
                + " (or fence it) before anything writes to it, bring "
                + r.primary()
                + " back, then rejoin "
                + primary.name()
                + " as a replica (runbooks/failover.md, \"Rejoin\").");
      } else {
        warnings.add(
            r.describe()
                + " names "
                + r.primary()
                + ", but the servers say "
                + primary.name()
                + " (timeline "
                + primary.timeline()
                + ") takes writes; the servers decide. If the primary was changed by hand, run"
                + " runbook failover next time, so that the record follows");
        decision.append("; disagrees with ").append(r.describe());
      }
    }
    return new ResolvedTopology(
        target, primary.name(), members, decision.toString(), warnings, null, "", last);
  }

  private static ResolvedTopology refuse(
      String target,
      String last,
      List<MemberState> members,
      List<String> warnings,
      String why,
      String fix) {
    return new ResolvedTopology(target, null, members, why, warnings, why, fix, last);
  }

  private static String evidence(List<MemberState> members) {
    return String.join("; ", members.stream().map(MemberState::evidence).toList());
  }

  private static String none(List<MemberState> members) {
    if (members.stream().noneMatch(MemberState::reachable)) {
      return "no member answered; evidence: " + evidence(members);
    }
    StringBuilder s = new StringBuilder("no member takes writes");
    for (MemberState m : members) {
      if (m.fenced()) {
        s.append("; ")
            .append(m.name())
            .append(" at ")
            .append(m.address())
            .append(" is fenced by run ")
            .append(m.fencedBy())
            .append(" ")
            .append(m.fencedWhen())
            .append(", so it is never the primary");
      } else if (m.reachable()) {
        s.append("; ").append(m.name()).append(" at ").append(m.address()).append(" is ");
        s.append(m.inRecovery() ? "in recovery (a standby)" : m.state());
      }
    }
    return s.append("; evidence: ").append(evidence(members)).toString();
  }

  private static String noneFix(String target, List<MemberState> members) {
    if (members.stream().noneMatch(MemberState::reachable)) {
      return "check that PostgreSQL runs on the members of "
          + target
          + " and accepts connections from this worker (listen_addresses, pg_hba.conf, firewall).";
    }
    List<MemberState> fenced = members.stream().filter(MemberState::fenced).toList();
    if (!fenced.isEmpty()) {
      MemberState f = fenced.get(0);
      return "if run "
          + f.fencedBy()
          + " is still going, let it finish (runbook status "
          + f.fencedBy()
          + "); if it stopped before promoting a replica and "
          + f.name()
          + " should stay the primary, unfence "
          + f.name()
          + " by hand (runbooks/failover.md, \"Unfence by hand\"); if a replica should take over,"
          + " promote it with runbook failover --target "
          + target
          + " --planned after unfencing.";
    }
    for (MemberState m : members) {
      if (m.reachable() && !m.inRecovery()) {
        return "if "
            + m.name()
            + " should be the primary, end its read-only mode there: ALTER SYSTEM RESET"
            + " default_transaction_read_only; SELECT pg_reload_conf();";
      }
    }
    return "bring the primary back, or promote a replica with runbook failover --target "
        + target
        + " --force (runbooks/failover.md).";
  }
}
