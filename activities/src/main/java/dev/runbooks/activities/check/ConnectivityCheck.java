package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.postgres.MemberState;
import dev.runbooks.activities.postgres.ResolvedTopology;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
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
 * Which member of the target is the primary (topology resolution: split brain, only fenced or
 * recovering members are CRITICAL), whether it answers, which server it is, and that it is not in
 * recovery.
 */
final class ConnectivityCheck {
  static final String NAME = "connectivity";

  /** Findings about the members that do not stop a run (a member down, a stale record). */
  static final String TOPOLOGY = "topology";

  private static final Logger log = LoggerFactory.getLogger(ConnectivityCheck.class);

  private final OnPrimary primary;

  ConnectivityCheck(OnPrimary primary) {
    this.primary = primary;
  }

  Findings run(CheckInput input) {
    String target = input.target();
    ResolvedTopology topology = primary.topology(target);
    boolean anyAnswered = topology.members().stream().anyMatch(MemberState::reachable);
    if (topology.refusal() != null && anyAnswered) {
      return Findings.of(
          new Finding(
              NAME,
              CRITICAL,
              "the primary of " + target + " cannot be decided: " + topology.refusal(),
              topology.fix(),
              topology.evidence()));
    }
    List<Finding> warnings = new ArrayList<>();
    for (String w : anyAnswered ? topology.warnings() : List.<String>of()) {
      warnings.add(new Finding(TOPOLOGY, WARN, w, "", List.of()));
    }
    Findings found = connect(target, topology);
    List<Finding> all = new ArrayList<>(found.findings());
    all.addAll(warnings);
    return new Findings(all);
  }

  private Findings connect(String target, ResolvedTopology topology) {
    String where = primary.describe(target);
    Connection c;
    try {
      c = primary.open(target);
    } catch (SQLException e) {
      log.warn("Cannot connect to the primary of {} at {}: {}", target, where, Text.cause(e));
      return Findings.of(
          new Finding(
              NAME,
              CRITICAL,
              "cannot connect to the primary of " + target + " at " + where + ": " + Text.cause(e),
              "Check that PostgreSQL runs at "
                  + where
                  + " and accepts connections from this worker (listen_addresses, pg_hba.conf,"
                  + " firewall); the other checks need it too",
              withEvidence(List.of(), topology)));
    }
    try (c;
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('server_version'), pg_is_in_recovery(),"
                    + " extract(epoch FROM now() - pg_postmaster_start_time()),"
                    + " pg_postmaster_start_time(), current_database(), current_user")) {
      rs.next();
      String version = rs.getString(1);
      boolean inRecovery = rs.getBoolean(2);
      Duration uptime = Text.seconds(rs.getDouble(3));
      List<String> details =
          List.of(
              "server_version: " + version,
              "in recovery: " + (inRecovery ? "yes (a standby)" : "no"),
              "up " + Text.duration(uptime) + ", since " + rs.getString(4),
              "connected to database " + rs.getString(5) + " as " + rs.getString(6));
      if (inRecovery) {
        // A single configured server that is a standby (a TargetConnections without members).
        return Findings.of(
            new Finding(
                NAME,
                CRITICAL,
                "the primary of "
                    + target
                    + " at "
                    + where
                    + " is in recovery: it is a standby, not a primary (PostgreSQL "
                    + version
                    + ")",
                "Point target "
                    + target
                    + "'s primary at the server that accepts writes in the configuration; if the"
                    + " primary is gone, promote a replica with: runbook failover --target "
                    + target,
                details));
      }
      return Findings.of(
          new Finding(
              NAME,
              OK,
              "connected to the primary of "
                  + target
                  + " at "
                  + where
                  + ": PostgreSQL "
                  + version
                  + ", not in recovery, up "
                  + Text.duration(uptime)
                  + "; "
                  + topology.summary(),
              "",
              withEvidence(details, topology)));
    } catch (SQLException e) {
      return Findings.of(primary.failed(NAME, target, e));
    }
  }

  private static List<String> withEvidence(List<String> details, ResolvedTopology topology) {
    List<String> all = new ArrayList<>(details);
    for (String e : topology.evidence()) {
      all.add("member " + e);
    }
    return all;
  }
}
