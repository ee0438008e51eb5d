package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.failover.FailoverActivitiesImpl;
import dev.runbooks.activities.failover.FailoverTargets;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which member is the primary, decided when a connection is asked for, on real clusters: the
 * configured {@code primary:} is only where the list of members starts.
 */
class TopologyResolutionTest {
  private static final String FENCE =
      "failover-orders-20261203T070000|readonly=true|roles=|at=2026-12-03T07:00:01Z";

  @TempDir Path dir;
  private final List<LocalCluster> clusters = new ArrayList<>();
  private LocalCluster primary;
  private LocalCluster replica;
  private FileSecretStore secrets;

  @BeforeEach
  void clusters() {
    primary = LocalCluster.builder().name("primary").start();
    clusters.add(primary);
    replica = primary.createReplica("replica");
    clusters.add(replica);
    secrets = new FileSecretStore(dir.resolve("secrets.json"));
  }

  @AfterEach
  void close() {
    for (int i = clusters.size() - 1; i >= 0; i--) {
      clusters.get(i).close();
    }
  }

  /** A target whose members are listed in this order, the first as {@code primary:}. */
  private ConfiguredConnections connections(int... ports) throws Exception {
    return new ConfiguredConnections(config(ports), secrets);
  }

  private RunbooksConfig config(int... ports) throws Exception {
    StringBuilder yaml =
        new StringBuilder("targets:\n  orders:\n    primary: { host: 127.0.0.1, port: ")
            .append(ports[0])
            .append(", database: postgres, sslmode: disable }\n    replicas:\n");
    for (int i = 1; i < ports.length; i++) {
      yaml.append("      - { name: db")
          .append(i)
          .append(", host: 127.0.0.1, port: ")
          .append(ports[i])
          .append(" }\n");
    }
    yaml.append("    admin: { user: postgres }\n");
    Path file = Files.writeString(dir.resolve("runbooks.yaml"), yaml.toString());
    return ConfigLoader.load(file, Map.of());
  }

  private void fence(LocalCluster server) throws SQLException {
    server.execute(
        "postgres",
        "ALTER SYSTEM SET default_transaction_read_only = on",
        "SELECT set_config('runbooks.fence', '', false)",
        "ALTER SYSTEM SET runbooks.fence = '" + FENCE + "'",
        "SELECT pg_reload_conf()");
  }

  private static boolean inRecovery(Connection c) throws SQLException {
    try (c) {
      return Jdbc.bool(c, "SELECT pg_is_in_recovery()");
    }
  }

  private static int port(Connection c) throws SQLException {
    try (c) {
      return Integer.parseInt(Jdbc.string(c, "SHOW port").orElseThrow());
    }
  }

  private static Finding connectivity(TargetConnections connections) {
    return new CheckActivitiesImpl(connections, CheckThresholds.defaults())
        .checkConnectivity(new CheckInput("orders", Duration.ofMinutes(5)))
        .findings()
        .get(0);
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private void publish(String member, int timeline) {
    secrets.write(
        "runbooks/endpoints/orders",
        Map.of(
            "primary",
            member,
            "timeline",
            Integer.toString(timeline),
            "runId",
            "failover-orders-earlier",
            "publishedAt",
            "2026-12-03T06:00:00Z"),
        OptionalInt.empty());
  }

  @Test
  void aConfiguredPrimaryThatIsAReplicaLeadsToTheRealPrimary() throws Exception {
    ConfiguredConnections connections = connections(replica.port(), primary.port());

    assertFalse(inRecovery(connections.primary("orders")), "connected to the replica");
    assertEquals(primary.port(), port(connections.primary("orders", "template1")));
    assertEquals(primary.port(), connections.connectionSpec("orders").port());
    assertEquals(List.of("primary"), connections.replicaNames("orders"));
    ResolvedTopology topology = connections.topology("orders");
    assertEquals("db1", topology.primary());
    assertTrue(
        topology.decision().contains("the configured primary primary is in recovery"),
        topology.decision());
    Finding f = connectivity(connections);
    assertEquals(Severity.OK, f.severity(), f.toString());
    assertTrue(f.summary().contains("primary db1 at 127.0.0.1:" + primary.port()), f.summary());
    assertTrue(f.summary().contains("replicas primary (in recovery, timeline 1)"), f.summary());
  }

  @Test
  void aFencedPrimaryIsRefusedByNameWithTheRunTheTimeAndTheFix() throws Exception {
    fence(primary);
    ConfiguredConnections connections = connections(primary.port(), replica.port());

    ApplicationFailure refused =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    assertEquals(FailureType.PREFLIGHT_FAILED.name(), refused.getType());
    String m = refused.getOriginalMessage();
    assertTrue(
        m.contains(
            "primary at 127.0.0.1:"
                + primary.port()
                + " is fenced by run failover-orders-20261203T070000 at 2026-12-03T07:00:01Z,"
                + " so it is never the primary"),
        m);
    assertTrue(m.contains("db1 at 127.0.0.1:" + replica.port() + " is in recovery"), m);
    assertTrue(m.contains("Nothing was changed. Fix: if run failover-orders-"), m);
    assertTrue(m.contains("\"Unfence by hand\""), m);
    assertThrows(ApplicationFailure.class, () -> connections.connectionSpec("orders"));

    Finding f = connectivity(connections);
    assertEquals(Severity.CRITICAL, f.severity(), f.toString());
    assertTrue(f.summary().contains("is fenced by run failover-orders-"), f.summary());
    assertTrue(f.advice().contains("Unfence by hand"), f.advice());
  }

  @Test
  void theFailoverPreflightRefusesAFencedPrimaryByName() throws Exception {
    fence(primary);
    RunbooksConfig config = config(primary.port(), replica.port());
    FailoverActivitiesImpl failover =
        new FailoverActivitiesImpl(
            new ConfiguredConnections(config, secrets),
            FailoverTargets.fromConfig(config),
            secrets,
            Optional.empty(),
            Clock.systemUTC());

    ApplicationFailure refused =
        assertThrows(ApplicationFailure.class, () -> failover.inspectTopology("orders"));
    assertEquals(FailureType.PREFLIGHT_FAILED.name(), refused.getType());
    String m = refused.getOriginalMessage();
    assertTrue(m.contains("primary at 127.0.0.1:" + primary.port() + " is fenced by run"), m);
    assertTrue(m.contains("at 2026-12-03T07:00:01Z"), m);
    assertTrue(m.contains("Nothing was changed"), m);
    assertTrue(m.contains("\"Unfence by hand\""), m);
  }

  @Test
  void afterASwitchoverWithoutRejoinThePromotedMemberIsThePrimary() throws Exception {
    fence(primary);
    replica.execute("postgres", "SELECT pg_promote(true, 60)");
    ConfiguredConnections connections = connections(primary.port(), replica.port());

    assertEquals(replica.port(), port(connections.primary("orders")));
    assertEquals(replica.port(), connections.connectionSpec("orders").port());
    ResolvedTopology topology = connections.topology("orders");
    assertEquals("db1", topology.primary());
    assertTrue(
        topology
            .decision()
            .contains("the configured primary primary is fenced by run failover-orders-"),
        topology.decision());
    assertTrue(topology.summary().contains("(timeline 2)"), topology.summary());
    List<Finding> replicas =
        new CheckActivitiesImpl(connections, CheckThresholds.defaults())
            .checkReplicas(new CheckInput("orders", Duration.ofMinutes(5)))
            .findings();
    Finding former = replicas.get(0);
    assertEquals(Severity.WARN, former.severity(), replicas.toString());
    assertTrue(
        former.summary().contains("replica primary is a former primary, fenced by run"),
        former.summary());
    assertTrue(former.advice().contains("Rejoin the old primary"), former.advice());
  }

  @Test
  void twoWritableMembersAreSplitBrainWithTheEvidence() throws Exception {
    replica.execute("postgres", "SELECT pg_promote(true, 60)");
    ConfiguredConnections connections = connections(primary.port(), replica.port());

    ApplicationFailure refused =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    String m = refused.getOriginalMessage();
    assertTrue(m.contains("split brain: 2 members take writes (primary, db1)"), m);
    assertTrue(m.contains("primary at 127.0.0.1:" + primary.port() + ": writable, timeline 1"), m);
    assertTrue(m.contains("db1 at 127.0.0.1:" + replica.port() + ": writable, timeline 2"), m);
    assertTrue(m.contains("not fenced"), m);
    assertTrue(m.contains("WAL at 0/"), m);
    assertThrows(ApplicationFailure.class, () -> connections.connectionSpec("orders"));

    Finding f = connectivity(connections);
    assertEquals(Severity.CRITICAL, f.severity(), f.toString());
    assertTrue(f.summary().contains("split brain"), f.summary());
    assertEquals(2, f.details().size(), f.details().toString());
  }

  @Test
  void noMemberAnsweringStaysRetryableAndNamesEveryMember() throws Exception {
    int a = closedPort();
    int b = closedPort();
    ConfiguredConnections connections = connections(a, b);

    SQLException e = assertThrows(SQLException.class, () -> connections.primary("orders"));
    assertTrue(e.getMessage().contains("no member of target \"orders\" answered"), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:" + a), e.getMessage());
    assertTrue(e.getMessage().contains("127.0.0.1:" + b), e.getMessage());
    assertTrue(e.getMessage().contains("Fix: check that PostgreSQL runs"), e.getMessage());
    Finding f = connectivity(connections);
    assertEquals(Severity.CRITICAL, f.severity(), f.toString());
    assertTrue(f.details().get(0).contains("127.0.0.1:" + a + ": did not answer"), f.toString());
    assertTrue(f.details().get(1).contains("127.0.0.1:" + b + ": did not answer"), f.toString());
  }

  @Test
  void aMemberDownDuringResolutionIsLeftOutAndReported() throws Exception {
    LocalCluster gone = LocalCluster.builder().name("gone").start();
    clusters.add(gone);
    int port = gone.port();
    gone.stop();
    ConfiguredConnections connections = connections(port, primary.port(), replica.port());

    assertFalse(inRecovery(connections.primary("orders")));
    ResolvedTopology topology = connections.topology("orders");
    assertEquals("db1", topology.primary());
    assertEquals(List.of("primary", "db2"), topology.replicaNames());
    assertEquals(1, topology.warnings().size(), topology.warnings().toString());
    assertTrue(
        topology.warnings().get(0).startsWith("primary at 127.0.0.1:" + port + " did not answer"),
        topology.warnings().get(0));
    List<Finding> findings =
        new CheckActivitiesImpl(connections, CheckThresholds.defaults())
            .checkConnectivity(new CheckInput("orders", Duration.ofMinutes(5)))
            .findings();
    assertEquals(Severity.OK, findings.get(0).severity(), findings.toString());
    assertTrue(
        findings.stream()
            .anyMatch(
                f ->
                    f.severity() == Severity.WARN
                        && f.check().equals("topology")
                        && f.summary().contains("did not answer")),
        findings.toString());
  }

  @Test
  void anEndpointRecordNamingAnotherMemberIsAWarningAndTheServersDecide() throws Exception {
    publish("db1", 1);
    ConfiguredConnections connections = connections(primary.port(), replica.port());

    assertFalse(inRecovery(connections.primary("orders")));
    ResolvedTopology topology = connections.topology("orders");
    assertEquals("primary", topology.primary());
    assertTrue(
        topology.warnings().get(0).contains("runbooks/endpoints/orders (version 1, run")
            && topology.warnings().get(0).contains("names db1, but the servers say primary"),
        topology.warnings().toString());
    assertTrue(topology.decision().contains("disagrees with the endpoint record"));
  }

  @Test
  void aWritableMemberBehindThePublishedTimelineIsAFormerPrimaryAndRefused() throws Exception {
    publish("db1", 2);
    replica.stop();
    ConfiguredConnections connections = connections(primary.port(), replica.port());

    ApplicationFailure refused =
        assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
    String m = refused.getOriginalMessage();
    assertTrue(
        m.contains("primary at 127.0.0.1:" + primary.port() + " takes writes on timeline 1"), m);
    assertTrue(m.contains("names db1 on the later timeline 2"), m);
    assertTrue(m.contains("a former primary that came back after a failover"), m);
    assertTrue(m.contains("Fix: stop primary"), m);
    assertNull(connections.topology("orders").primary());
  }
}
