package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.CRITICAL;
import static dev.runbooks.workflows.check.Severity.OK;
import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.activities.config.PoolerConfig;
import dev.runbooks.activities.failover.PoolerConsoles;
import dev.runbooks.activities.postgres.MemberState;
import dev.runbooks.activities.postgres.ResolvedTopology;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgBouncerConsole;
import dev.runbooks.pgtools.PgToolsException;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import dev.runbooks.workflows.failover.PoolerState;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The PgBouncer in front of a target's primary ({@code failover.pooler}), through its admin
 * console's {@code SHOW DATABASES}: whether it answers, whether a database is paused (its clients
 * wait), and whether each database points at the primary the members show now. One that points at a
 * fenced or recovering member (a switchover that did not finish its repoint) is CRITICAL: its
 * clients' writes fail.
 */
public final class PoolerCheck {
  static final String NAME = "pooler";

  /** A health check waits little: a console that does not answer in this time is a finding. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** PgBouncer's own console database, not a server it pools. */
  private static final String CONSOLE = "pgbouncer";

  private final Function<String, PoolerConfig> poolers;
  private final SecretStore secrets;
  private final Optional<PgBinaries> binaries;

  /**
   * @param poolers a target's {@code failover.pooler}, null when it has none
   * @param binaries psql from the worker's PostgreSQL programs; psql from PATH when empty
   */
  public PoolerCheck(
      Function<String, PoolerConfig> poolers, SecretStore secrets, Optional<PgBinaries> binaries) {
    this.poolers = poolers;
    this.secrets = secrets;
    this.binaries = binaries;
  }

  /** No pooler for any target: the check says so. */
  static PoolerCheck none() {
    return new PoolerCheck(target -> null, null, Optional.empty());
  }

  Findings run(String target, Function<String, ResolvedTopology> topology) {
    PoolerConfig pooler = poolers.apply(target);
    if (pooler == null) {
      return Findings.of(
          Finding.ok(NAME, "no pooler is configured for " + target + " (failover.pooler)"));
    }
    String address = pooler.address();
    PgBouncerConsole.Table databases;
    boolean paused;
    try {
      PgBouncerConsole console = PoolerConsoles.open(pooler, secrets, binaries, TIMEOUT);
      databases = console.show("SHOW DATABASES");
      paused = globallyPaused(console);
    } catch (PgToolsException e) {
      return Findings.of(
          new Finding(
              NAME,
              CRITICAL,
              "PgBouncer at " + address + " does not answer: " + e.getMessage(),
              "clients that connect through it fail meanwhile: start it (it reads "
                  + pooler.ini()
                  + "), and check that this worker reaches "
                  + address
                  + " and that "
                  + PoolerConsoles.user(pooler)
                  + " is in its admin_users",
              List.of()));
    }
    if (!databases.ok()) {
      return Findings.of(
          new Finding(
              NAME,
              WARN,
              "PgBouncer at " + address + " refused SHOW DATABASES: " + databases.error(),
              "make " + PoolerConsoles.user(pooler) + " one of its admin_users (pgbouncer.ini)",
              List.of()));
    }
    List<Finding> findings = judge(target, pooler, databases.rows(), topology.apply(target));
    if (paused) {
      List<String> details = findings.get(0).details();
      findings.removeIf(f -> f.severity() == OK);
      findings.add(
          0,
          new Finding(
              NAME,
              CRITICAL,
              "PgBouncer at " + address + " is PAUSED: every query through it waits",
              "if no switchover of "
                  + target
                  + " runs (runbook list --running), resume it: "
                  + PoolerState.manualResume(address),
              details));
    }
    return new Findings(findings);
  }

  /**
   * Whether PAUSE (of the whole pooler, as the switchover sends it) is in force. PgBouncer before
   * 1.21 has no SHOW STATE, and SHOW DATABASES shows only a database's own PAUSE. {@code PAUSE
   * pgbouncer} changes nothing either way: a paused PgBouncer answers "already suspended/paused"
   * before it looks at the name, any other "cannot pause admin db".
   */
  private static boolean globallyPaused(PgBouncerConsole console) {
    PgBouncerConsole.Reply probe = console.run("PAUSE " + CONSOLE);
    return !probe.ok() && probe.error().contains("already suspended/paused");
  }

  /** Mutable: {@link #run} may put the pause first. */
  private static List<Finding> judge(
      String target,
      PoolerConfig pooler,
      List<Map<String, String>> rows,
      ResolvedTopology topology) {
    String address = pooler.address();
    Optional<MemberState> primary = topology.primaryMember();
    List<Finding> findings = new ArrayList<>();
    List<String> details = new ArrayList<>();
    List<String> fine = new ArrayList<>();
    for (Map<String, String> row : rows) {
      String name = row.getOrDefault("name", "");
      String host = row.getOrDefault("host", "");
      if (name.equals(CONSOLE) || host.isEmpty()) {
        continue;
      }
      String server = host + ":" + row.getOrDefault("port", "");
      Optional<MemberState> member =
          topology.members().stream().filter(m -> m.address().equals(server)).findFirst();
      details.add(
          "database "
              + name
              + " -> "
              + server
              + member.map(m -> " (" + m.name() + ", " + m.state() + ")").orElse(" (no member)")
              + ("1".equals(row.get("paused")) ? ", PAUSED" : "")
              + ("1".equals(row.get("disabled")) ? ", DISABLED" : ""));
      if ("1".equals(row.get("paused"))) {
        findings.add(
            new Finding(
                NAME,
                CRITICAL,
                "PgBouncer at " + address + " holds database " + name + " PAUSED: its clients wait",
                "if no switchover of "
                    + target
                    + " runs (runbook list --running), resume it: "
                    + PoolerState.manualResume(address),
                List.of()));
      }
      if (primary.isEmpty()) {
        continue; // the connectivity check reports why there is no single primary
      }
      MemberState p = primary.get();
      if (member.isPresent() && member.get().name().equals(p.name())) {
        fine.add(name);
      } else {
        findings.add(misdirected(target, pooler, name, server, member, p));
      }
    }
    String points =
        fine.isEmpty()
            ? ""
            : "; "
                + String.join(", ", fine)
                + " -> the primary "
                + primary.get().name()
                + " at "
                + primary.get().address();
    if (findings.isEmpty()) {
      findings.add(
          new Finding(
              NAME,
              OK,
              "PgBouncer at " + address + " answers, nothing paused" + points,
              "",
              details));
    } else {
      findings.replaceAll(
          f -> new Finding(f.check(), f.severity(), f.summary(), f.advice(), details));
    }
    return findings;
  }

  /** A database that sends its clients somewhere other than the primary. */
  private static Finding misdirected(
      String target,
      PoolerConfig pooler,
      String name,
      String server,
      Optional<MemberState> member,
      MemberState primary) {
    String fix =
        "point [databases] "
            + name
            + " in "
            + pooler.ini()
            + " at host="
            + primary.address().replace(":", " port=")
            + ", then RELOAD it: "
            + PoolerState.manualResume(pooler.address()).replace("RESUME", "RELOAD");
    if (member.isEmpty()) {
      return new Finding(
          NAME,
          WARN,
          "PgBouncer at "
              + pooler.address()
              + " sends database "
              + name
              + " to "
              + server
              + ", which is no member of "
              + target
              + ", not to the primary "
              + primary.name()
              + " at "
              + primary.address(),
          "if "
              + server
              + " is not an address of "
              + primary.name()
              + " (a DNS name or virtual IP), "
              + fix,
          List.of());
    }
    MemberState m = member.get();
    return new Finding(
        NAME,
        CRITICAL,
        "PgBouncer at "
            + pooler.address()
            + " sends database "
            + name
            + " to "
            + m.name()
            + " at "
            + server
            + ", which is "
            + m.state()
            + ", not to the primary "
            + primary.name()
            + " at "
            + primary.address()
            + ": its clients' writes fail",
        fix,
        List.of());
  }
}
