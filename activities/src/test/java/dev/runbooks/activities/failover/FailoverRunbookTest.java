package dev.runbooks.activities.failover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.testing.WritingClients;
import dev.runbooks.workflows.failover.FailoverRequest;
import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.failover.FailoverWorkflow;
import dev.runbooks.workflows.failover.FailoverWorkflowImpl;
import dev.runbooks.workflows.failover.ServerState;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.io.TempDir;

/**
 * The failover runbook end to end on real clusters (a primary and two streaming replicas each),
 * through Temporal with the real activities. A switchover consumes its clusters, so each test makes
 * its own.
 */
class FailoverRunbookTest {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(FailoverRunbookTest.class);

  private static final String PASSWORD = "failover-Admin-Pw-5521";
  private static final String APP_PASSWORD = "app-Pw-8812";
  private static final String QUEUE = "failover";
  private static final String DB = "postgres";
  private static final AtomicLong MARKERS = new AtomicLong();
  private static final int POOLED_CLIENTS = 8;

  /** A test with this tag gets clusters with PostgreSQL's default WAL retention. */
  private static final String WAL_DEFAULTS = "wal-defaults";

  @TempDir Path dir;
  private WorkerFactory factory;
  private FileSecretStore secrets;
  private final List<LocalCluster> clusters = new ArrayList<>();
  private LocalCluster primary;
  private LocalCluster replica0;
  private LocalCluster replica1;
  private LocalPgBouncer bouncer;

  @BeforeEach
  void setUp(TestInfo test) throws Exception {
    // wal_log_hints: pg_rewind can rejoin the old primary. log_statement: every statement the
    // runbook sends is in the server logs, which are scanned for the password after each test.
    LocalCluster.Builder builder =
        LocalCluster.builder()
            .name("primary")
            .scram(PASSWORD)
            .setting("wal_log_hints", "on")
            .setting("log_statement", "all");
    if (test.getTags().contains(WAL_DEFAULTS)) {
      builder.walDefaults();
    }
    primary = builder.start();
    clusters.add(primary);
    replica0 = primary.createReplica("replica0");
    replica1 = primary.createReplica("replica1");
    clusters.add(replica0);
    clusters.add(replica1);
    awaitRoles();
    primary.execute(
        DB,
        "CREATE ROLE app LOGIN PASSWORD '" + APP_PASSWORD + "'",
        "CREATE TABLE seq (n bigint PRIMARY KEY)",
        "GRANT INSERT, SELECT ON seq TO app");

    secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "db/orders/admin", Map.of("username", "postgres", "password", PASSWORD), OptionalInt.of(0));
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + primary.port()
            + ", database: postgres, sslmode: disable }\n"
            + "    replicas:\n"
            + "      - { name: replica0, host: 127.0.0.1, port: "
            + replica0.port()
            + " }\n"
            + "      - { name: replica1, host: 127.0.0.1, port: "
            + replica1.port()
            + " }\n"
            + "    admin: { secret: db/orders/admin }\n"
            + "    failover: { catchUpTimeout: PT60S }\n");

    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    server = TestServer.createPortBoundServer(port, true);
    address = "127.0.0.1:" + port;
    AddSearchAttributesRequest.Builder attributes =
        AddSearchAttributesRequest.newBuilder().setNamespace("default");
    for (var key : RunbookSearchAttributes.ALL) {
      attributes.putSearchAttributes(key.getName(), IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
    }
    OperatorServiceStubs operator =
        OperatorServiceStubs.newServiceStubs(
            OperatorServiceStubsOptions.newBuilder()
                .setTarget(address)
                .validateAndBuildWithDefaults());
    operator.blockingStub().addSearchAttributes(attributes.build());
    operator.shutdownNow();
    clientStubs = stubs();
    client = WorkflowClient.newInstance(clientStubs);
    activities = activities(file);
    workflowWorker = startWorkflowWorker();
    factory = startWorker();
  }

  private FailoverActivitiesImpl activities;
  private RunbooksConfig config;

  /** The real activities on the configuration in {@code file}, quick to call a primary down. */
  private FailoverActivitiesImpl activities(Path file) throws Exception {
    config = ConfigLoader.load(file, Map.of());
    return new FailoverActivitiesImpl(
        new ConfiguredConnections(config, secrets),
        FailoverTargets.fromConfig(config),
        secrets,
        PgBinaries.find(),
        Clock.systemUTC(),
        Duration.ofMillis(200),
        Duration.ofSeconds(20));
  }

  private TestServer.PortBoundTestServer server;
  private String address;
  private WorkflowServiceStubs clientStubs;
  private WorkflowClient client;
  private WorkflowServiceStubs workerStubs;
  private int workers;
  private WorkerFactory workflowWorker;

  private WorkflowServiceStubs stubs() {
    return WorkflowServiceStubs.newServiceStubs(
        WorkflowServiceStubsOptions.newBuilder().setTarget(address).validateAndBuildWithDefaults());
  }

  /**
   * The activity worker, in a factory of its own so a test can take it away in the middle of a step
   * and start another, as a restarted worker process would. The workflows run on a worker that
   * stays: the in-memory service never moves a workflow task off a vanished worker's sticky queue
   * (the SDK always asks for one; a real cluster gives up on it after a few seconds), so a lost
   * workflow worker would stall the run there and nowhere else.
   */
  private WorkerFactory startWorker() {
    workerStubs = stubs();
    WorkflowClient workerClient =
        WorkflowClient.newInstance(
            workerStubs,
            WorkflowClientOptions.newBuilder().setIdentity("activities-" + (++workers)).build());
    WorkerFactory f = WorkerFactory.newInstance(workerClient);
    f.newWorker(QUEUE)
        .registerActivitiesImplementations(
            activities, new TargetLockActivitiesImpl(workerClient, QUEUE));
    f.start();
    return f;
  }

  private WorkerFactory startWorkflowWorker() {
    WorkerFactory f = WorkerFactory.newInstance(client);
    f.newWorker(QUEUE)
        .registerWorkflowImplementationTypes(
            FailoverWorkflowImpl.class, TargetLockWorkflowImpl.class);
    f.start();
    return f;
  }

  @AfterEach
  void tearDown() throws Exception {
    try {
      stopWorkers();
      // The admin password is the replication password too (replicas log in as the superuser).
      ServerLogScan.assertNoSecrets(clusters, List.of(PASSWORD));
    } finally {
      if (bouncer != null) {
        bouncer.close();
      }
      for (int i = clusters.size() - 1; i >= 0; i--) {
        clusters.get(i).close();
      }
    }
  }

  private void stopWorkers() {
    if (factory != null) {
      factory.shutdownNow();
      workerStubs.shutdownNow();
    }
    if (workflowWorker != null) {
      workflowWorker.shutdownNow();
    }
    if (clientStubs != null) {
      clientStubs.shutdownNow();
    }
    if (server != null) {
      server.close();
    }
  }

  private FailoverWorkflow newRun(String id) {
    return client.newWorkflowStub(
        FailoverWorkflow.class,
        WorkflowOptions.newBuilder().setWorkflowId(id).setTaskQueue(QUEUE).build());
  }

  private static FailoverRequest request(String to, Long maxLag, boolean force) {
    return request(to, maxLag, force, false);
  }

  private static FailoverRequest request(String to, Long maxLag, boolean force, boolean rejoin) {
    return new FailoverRequest(
        new RunbookRequest("orders", "alice", false, Duration.ofHours(1)),
        to,
        maxLag,
        force,
        rejoin);
  }

  private LocalCluster byName(String name) {
    return switch (name) {
      case "primary" -> primary;
      case "replica0" -> replica0;
      case "replica1" -> replica1;
      default -> throw new AssertionError("unexpected server " + name);
    };
  }

  // ---- the tests -----------------------------------------------------------------------------

  @Test
  void switchoverUnderWriteLoadLosesNoAcknowledgedWrite() throws Exception {
    Writer writer = new Writer(primary.port());
    Thread thread = new Thread(writer, "writer");
    thread.start();
    writer.awaitAcknowledged(200);

    FailoverWorkflow run = newRun("failover-orders-load");
    FailoverResult result = run.run(request(null, null, false, false));
    writer.stop();
    thread.join(30_000);

    assertEquals(Outcome.SUCCEEDED, run.progress().outcome(), run.progress().toString());
    assertTrue(result.planned());
    assertEquals(Long.valueOf(0), result.bytesLost());
    assertNotNull(result.writeOutage());
    LocalCluster promoted = byName(result.newPrimary());
    LocalCluster other = promoted == replica0 ? replica1 : replica0;

    // Every acknowledged write is on the new primary.
    assertTrue(writer.acknowledged.size() >= 200, "writer acknowledged " + writer.acknowledged);
    assertAllOn(promoted, writer.acknowledged);

    // The writer's writes failed once the primary was fenced, and writes there fail still.
    assertFalse(writer.failures.isEmpty(), "the writer never saw its writes refused");
    assertThrows(SQLException.class, () -> appInsert(primary.port(), -1));
    SQLException readOnly =
        assertThrows(SQLException.class, () -> primary.execute(DB, "INSERT INTO seq VALUES (-2)"));
    assertEquals("25006", readOnly.getSQLState(), readOnly.getMessage());
    appInsert(promoted.port(), -3); // the application role logs in on the new primary

    // The other replica streams from the new primary.
    assertEquals(List.of(other.name()), result.repointed());
    assertStreamsFrom(other, promoted);
    // The server logs show the repoint's statement, so their scan (after each test) can fail.
    assertTrue(
        ServerLogScan.anyLogHolds(List.of(other), "ALTER SYSTEM SET primary_conninfo"),
        "the repoint is not in " + other.name() + "'s log: log_statement is not all");
    Map<String, String> endpoint =
        secrets
            .read(dev.runbooks.workflows.shared.SecretRef.latest("runbooks/endpoints/orders"))
            .data();
    assertEquals(Integer.toString(promoted.port()), endpoint.get("port"));
    assertEquals(result.newPrimary(), endpoint.get("primary"));
    SecretScan.assertNoSecrets(client, "failover-orders-load", List.of(PASSWORD, APP_PASSWORD));
  }

  @Test
  void aReplicaThatIsRestartingWhenRepointedIsWaitedForAndRepointed() throws Exception {
    // While it restarts it must not stream from the fenced old primary: WAL that one writes after
    // the promotion (a running-xacts record every 15 s) would fork it off the new timeline.
    String conninfo;
    try (Connection c = replica0.connect(DB)) {
      conninfo = Jdbc.string(c, "SHOW primary_conninfo").orElseThrow();
    }
    String nowhere = Conninfo.withServer(conninfo, "127.0.0.1", closedPort());
    replica0.execute(DB, "ALTER SYSTEM SET primary_conninfo = " + Jdbc.literal(nowhere));
    replica0.stop();
    FailoverWorkflow run = newRun("failover-orders-restarting");
    WorkflowClient.start(run::run, request(null, null, false));
    awaitStep(run, "repoint", StepState.RUNNING);
    // Longer than the activity's retries took before (three attempts within a second).
    Thread.sleep(3_000);
    replica0.start();
    FailoverResult result = WorkflowStub.fromTyped(run).getResult(FailoverResult.class);

    assertEquals("replica1", result.newPrimary());
    assertEquals(List.of("replica0"), result.repointed(), result.manualSteps().toString());
    assertStreamsFrom(replica0, replica1);
  }

  @Test
  void rejoinRewindsTheOldPrimaryIntoAReplicaOfTheNewOne() throws Exception {
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 100)");
    FailoverWorkflow run = newRun("failover-orders-rejoin");
    FailoverResult result = run.run(request("replica0", null, false, true));
    assertTrue(
        result.oldPrimaryState().startsWith("running as a replica of replica0"),
        result.oldPrimaryState() + " / " + result.manualSteps());
    assertStreamsFrom(primary, replica0);
    assertStreamsFrom(replica1, replica0);
    assertEquals(1, result.manualSteps().size(), result.manualSteps().toString());
    appInsert(replica0.port(), -7);
    SecretScan.assertNoSecrets(client, "failover-orders-rejoin", List.of(PASSWORD, APP_PASSWORD));
  }

  @Test
  @Tag(WAL_DEFAULTS)
  void rejoinWorksWithDefaultWalSettingsAndTheResultSaysWhatTheServersSay() throws Exception {
    // The last checkpoint before the switchover lies in a WAL segment the old primary's shutdown
    // checkpoint recycles when nothing keeps it: the WAL pg_rewind reads.
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 100)", "CHECKPOINT");
    primary.execute(DB, "SELECT pg_switch_wal()", "INSERT INTO seq VALUES (101)");
    primary.execute(DB, "SELECT pg_switch_wal()", "INSERT INTO seq VALUES (102)");
    FailoverWorkflow run = newRun("failover-orders-rejoin-defaults");
    FailoverResult result = run.run(request("replica0", null, false, true));

    assertEquals(Outcome.SUCCEEDED, run.progress().outcome(), run.progress().toString());
    assertEquals(StepState.DONE, step(run, "rejoin").state(), step(run, "rejoin").detail());
    assertNull(result.warning(), result.warning());
    assertTrue(
        result.oldPrimaryState().startsWith("running as a replica of replica0, streaming"),
        result.oldPrimaryState() + " / " + result.manualSteps());
    assertTrue(primary.isRunning(), "the result says running, but the old primary is stopped");
    assertStreamsFrom(primary, replica0);
    assertStreamsFrom(replica1, replica0);
    assertEquals(102, count(primary));
    assertServersReadBack(result);
    assertEquals(3, result.servers().size(), result.servers().toString());
    // The slot that kept the WAL for pg_rewind is gone: it would hold WAL for ever.
    assertNoSlotLeft(primary);
    SecretScan.assertNoSecrets(client, "failover-orders-rejoin-defaults", List.of(PASSWORD));
  }

  @Test
  @Tag(WAL_DEFAULTS)
  void rejoinThatFailsAfterTheStopSaysTheOldPrimaryIsStoppedAndHowToRebuildIt() throws Exception {
    // A pg_rewind that fails, beside the real pg_ctl: the old primary was stopped, not rewound.
    Path bin = Files.createTempDirectory("runbooks-bin");
    try {
      PgBinaries real = PgBinaries.require();
      try (var tools = Files.list(real.binDir())) {
        for (Path tool : tools.toList()) {
          if (!tool.getFileName().toString().equals("pg_rewind")) {
            Files.createSymbolicLink(bin.resolve(tool.getFileName()), tool);
          }
        }
      }
      Path rewind = bin.resolve("pg_rewind");
      Files.writeString(
          rewind, "#!/bin/sh\necho 'pg_rewind: error: injected by the test' >&2\nexit 1\n");
      Files.setPosixFilePermissions(rewind, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.setPosixFilePermissions(bin, PosixFilePermissions.fromString("rwxr-xr-x"));
      restartActivityWorker(PgBinaries.at(bin));

      FailoverWorkflow run = newRun("failover-orders-rejoin-fails");
      FailoverResult result = run.run(request("replica0", null, false, true));

      // The failover stands; the rejoin says it failed, and the state is the one read back.
      assertEquals(Outcome.SUCCEEDED, run.progress().outcome(), run.progress().toString());
      assertEquals(StepState.FAILED, step(run, "rejoin").state(), step(run, "rejoin").detail());
      assertEquals("replica0", result.newPrimary());
      assertFalse(primary.isRunning(), "the old primary runs");
      assertTrue(result.oldPrimaryState().startsWith("stopped"), result.oldPrimaryState());
      assertServersReadBack(result);
      String warning = result.warning();
      assertNotNull(warning, result.toString());
      for (String expected :
          List.of(
              "switchover itself succeeded",
              "replica0 is the primary",
              "FAILED",
              "injected by the test",
              "stopped",
              "Next step",
              "pg_basebackup -h 127.0.0.1 -p " + replica0.port(),
              primary.dataDir().toString())) {
        assertTrue(warning.contains(expected), "no \"" + expected + "\" in: " + warning);
      }
      assertTrue(
          result.manualSteps().get(0).contains("pg_basebackup"), result.manualSteps().toString());
      appInsert(replica0.port(), -8);
      assertStreamsFrom(replica1, replica0);
      followTheRebuildStep(result.manualSteps().get(0));
      assertStreamsFrom(primary, replica0);
    } finally {
      try (var files = Files.list(bin)) {
        for (Path f : files.toList()) {
          Files.delete(f);
        }
      }
      Files.delete(bin);
    }
  }

  @Test
  void rejoinRefusedWithoutWalLogHintsLeavesTheOldPrimaryFencedAndSaysToRebuildIt()
      throws Exception {
    primary.execute(DB, "ALTER SYSTEM SET wal_log_hints = off");
    primary.stop();
    primary.start();
    assertStreamsFrom(replica0, primary);

    FailoverWorkflow run = newRun("failover-orders-rejoin-no-hints");
    FailoverResult result = run.run(request("replica0", null, false, true));

    assertEquals(Outcome.SUCCEEDED, run.progress().outcome(), run.progress().toString());
    assertEquals(StepState.FAILED, step(run, "rejoin").state(), step(run, "rejoin").detail());
    assertTrue(primary.isRunning());
    assertTrue(
        result.oldPrimaryState().startsWith("running, not in recovery, fenced by"),
        result.oldPrimaryState());
    assertServersReadBack(result);
    String next = result.manualSteps().get(0);
    for (String expected :
        List.of(
            "pg_ctl -D " + primary.dataDir() + " stop -m fast",
            "pg_basebackup -h 127.0.0.1 -p " + replica0.port())) {
      assertTrue(next.contains(expected), "no \"" + expected + "\" in: " + next);
    }
    assertTrue(result.warning().contains("wal_log_hints is off"), result.warning());
    assertTrue(result.warning().contains("Next step: " + next), result.warning());
    assertNoSlotLeft(primary);
  }

  @Test
  void lagAboveMaxLagIsRefusedWithNothingChanged() throws Exception {
    for (LocalCluster r : List.of(replica0, replica1)) {
      r.execute(DB, "SELECT pg_wal_replay_pause()");
    }
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 5000)");

    FailoverWorkflow run = newRun("failover-orders-lag");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(request(null, 1024L, false)));
    assertEquals("LAG_TOO_HIGH", ((ApplicationFailure) failed.getCause()).getType());
    assertTrue(failed.getCause().getMessage().contains("Nothing was changed"));
    assertNothingChanged();
    for (LocalCluster r : List.of(replica0, replica1)) {
      r.execute(DB, "SELECT pg_wal_replay_resume()");
    }
  }

  @Test
  void passwordInAReplicasConninfoIsRefusedWithThePassfileFixAndNothingChanged() throws Exception {
    // replica1 keeps the replication password in primary_conninfo, as pg_basebackup -R writes it.
    // Written into the file while it is stopped, so no statement puts it in a log.
    replica1.stop();
    Path auto = replica1.dataDir().resolve("postgresql.auto.conf");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(auto)) {
      if (!line.startsWith("primary_conninfo")) {
        lines.add(line);
      }
    }
    lines.add(
        "primary_conninfo = 'user=postgres password="
            + PASSWORD
            + " host=127.0.0.1 port="
            + primary.port()
            + " sslmode=disable'");
    Files.write(auto, lines); // in place: the file keeps its owner
    replica1.start();
    assertStreamsFrom(replica1, primary);

    FailoverWorkflow run = newRun("failover-orders-password");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> run.run(request("replica0", null, false)));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("PREFLIGHT_FAILED", cause.getType(), cause.toString());
    String message = cause.getOriginalMessage();
    for (String expected :
        List.of("replica1", "password", "passfile", ".pgpass", "0600", "Nothing was changed")) {
      assertTrue(message.contains(expected), "no \"" + expected + "\" in: " + message);
    }
    assertFalse(message.contains(PASSWORD), message);
    assertNothingChanged();
    assertStreamsFrom(replica0, primary);
    assertStreamsFrom(replica1, primary);
    SecretScan.assertNoSecrets(client, "failover-orders-password", List.of(PASSWORD));
  }

  @Test
  void downCandidateIsRefusedWhenNamedAndSkippedOtherwise() throws Exception {
    replica0.stop();

    FailoverWorkflow named = newRun("failover-orders-named");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> named.run(request("replica0", null, false)));
    assertEquals("PREFLIGHT_FAILED", ((ApplicationFailure) failed.getCause()).getType());
    assertTrue(failed.getCause().getMessage().contains("replica1 can be"), failed.getMessage());
    assertNothingChanged();

    FailoverWorkflow any = newRun("failover-orders-skip");
    FailoverResult result = any.run(request(null, null, false));
    assertEquals("replica1", result.newPrimary());
    assertTrue(
        any.progress().steps().get(0).detail().contains("skipped replica0 down"),
        any.progress().steps().get(0).detail());
    assertTrue(
        result.manualSteps().stream().anyMatch(s -> s.contains("replica0")),
        result.manualSteps().toString());
  }

  @Test
  void unplannedFailoverOfAStoppedPrimaryUnderForce() throws Exception {
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 100)");
    awaitReplayed(replica0, 100);
    awaitReplayed(replica1, 100);
    primary.stopImmediate();

    FailoverWorkflow planned = newRun("failover-orders-planned-down");
    WorkflowFailedException refused =
        assertThrows(WorkflowFailedException.class, () -> planned.run(request(null, null, false)));
    assertTrue(refused.getCause().getMessage().contains("--force"), refused.getMessage());

    FailoverWorkflow run = newRun("failover-orders-force");
    FailoverResult result = run.run(request(null, null, true));
    assertFalse(result.planned());
    assertTrue(result.oldPrimaryState().startsWith("down"), result.oldPrimaryState());
    assertEquals(StepState.SKIPPED, run.progress().steps().get(2).state());
    LocalCluster promoted = byName(result.newPrimary());
    assertEquals(100, count(promoted));
    LocalCluster other = promoted == replica0 ? replica1 : replica0;
    assertStreamsFrom(other, promoted);
  }

  @Test
  void workerLostMidRunbookIsReplacedAndTheRunEnds() throws Exception {
    replica0.execute(DB, "SELECT pg_wal_replay_pause()");
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 1000)");

    FailoverWorkflow run = newRun("failover-orders-restart");
    WorkflowClient.start(run::run, request("replica0", null, false));
    awaitStep(run, "catch-up", StepState.RUNNING);

    // The activity worker goes away in the middle of the catch-up; another starts on the queue.
    factory.shutdownNow();
    workerStubs.shutdownNow();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    assertTrue(factory.isTerminated());
    factory = startWorker();
    replica0.execute(DB, "SELECT pg_wal_replay_resume()");

    FailoverResult result;
    try {
      result = WorkflowStub.fromTyped(run).getResult(90, TimeUnit.SECONDS, FailoverResult.class);
    } catch (java.util.concurrent.TimeoutException e) {
      StringBuilder events = new StringBuilder();
      for (var event : client.fetchHistory("failover-orders-restart").getEvents()) {
        events.append(event.getEventType()).append(' ');
      }
      throw new AssertionError("no outcome within 90 s; history: " + events, e);
    }
    assertEquals(Outcome.SUCCEEDED, run.progress().outcome());
    assertEquals("replica0", result.newPrimary());
    assertEquals(1000, count(replica0));
    assertStreamsFrom(replica1, replica0);
  }

  // ---- through PgBouncer -------------------------------------------------------------------

  @Test
  void pooledSwitchoverUnderWriteLoadFailsNoQueryAndLosesNoWrite() throws Exception {
    usePooler();
    FailoverResult result;
    long longestWait;
    Set<Long> acknowledged;
    List<String> failures;
    WritingClients writers =
        new WritingClients(bouncer.jdbcUrl(DB), "app", APP_PASSWORD, POOLED_CLIENTS);
    try {
      writers.awaitAcknowledged(400);
      FailoverWorkflow run = newRun("failover-orders-pooled");
      result = run.run(request(null, null, false, false));
      int after = writers.acknowledged.size();
      writers.awaitAcknowledged(after + 200); // the clients go on writing, now to the new primary
      assertTrue(writers.acknowledged.size() >= after + 200, "the clients stopped writing");
    } finally {
      writers.stop();
    }
    longestWait = writers.longestWaitMillis();
    acknowledged = new TreeSet<>(writers.acknowledged);
    failures = List.copyOf(writers.failures);
    assertEquals(List.of(), failures, "queries through PgBouncer failed during the switchover");
    LocalCluster promoted = byName(result.newPrimary());
    assertAllOn(promoted, acknowledged);
    assertEquals(Map.of(DB, "127.0.0.1:" + promoted.port()), bouncer.databases());
    assertFalse(result.pooler().paused(), result.pooler().toString());
    assertEquals(List.of(DB), result.pooler().databases());
    log.info("pooled switchover: longest client wait {} ms", longestWait);
    SecretScan.assertNoSecrets(
        client, "failover-orders-pooled", List.of(PASSWORD, APP_PASSWORD, bouncer.adminPassword()));
  }

  @Test
  void poolerUnreachableAtPauseIsRefusedBeforeFencingWithNothingChanged() throws Exception {
    usePooler();
    bouncer.kill();

    FailoverWorkflow run = newRun("failover-orders-pooler-down");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(request(null, null, false)));
    ApplicationFailure cause = (ApplicationFailure) failed.getCause();
    assertEquals("PREFLIGHT_FAILED", cause.getType(), cause.toString());
    String message = cause.getOriginalMessage();
    for (String expected :
        List.of(
            "PgBouncer at 127.0.0.1:" + bouncer.port(),
            "could not be paused",
            "Nothing was changed",
            "failover.pooler")) {
      assertTrue(message.contains(expected), "no \"" + expected + "\" in: " + message);
    }
    assertNothingChanged();
  }

  @Test
  void poolerDyingAfterPauseEndsWithADefiniteStateAndTheManualResume() throws Exception {
    FailoverWorkflow run = pooledRunHeldAtCatchUp("failover-orders-pooler-dies");
    bouncer.kill(); // after PAUSE, before the repoint and RESUME
    replica0.execute(DB, "SELECT pg_wal_replay_resume()");

    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () ->
                WorkflowStub.fromTyped(run).getResult(120, TimeUnit.SECONDS, FailoverResult.class));
    String message = failed.getCause().getMessage();
    for (String expected :
        List.of("replica0 was promoted", "does not answer", "RESUME", "-c RESUME")) {
      assertTrue(message.contains(expected), "no \"" + expected + "\" in: " + message);
    }
    assertEquals(Outcome.FAILED, run.progress().outcome());
    // Definite: the ini points at the new primary, so a restarted PgBouncer serves it, unpaused.
    bouncer.restart();
    assertEquals(Map.of(DB, "127.0.0.1:" + replica0.port()), bouncer.databases());
    assertWritesThrough(bouncer);
  }

  @Test
  void workerKilledBetweenPauseAndResumeIsReplacedAndThePoolerResumed() throws Exception {
    FailoverWorkflow run = pooledRunHeldAtCatchUp("failover-orders-pooler-restart");
    assertTrue(
        run.progress().steps().get(2).detail().contains("paused")
            || run.progress().steps().get(2).state() == StepState.DONE,
        run.progress().toString());

    factory.shutdownNow();
    workerStubs.shutdownNow();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    factory = startWorker();
    replica0.execute(DB, "SELECT pg_wal_replay_resume()");

    FailoverResult result =
        WorkflowStub.fromTyped(run).getResult(120, TimeUnit.SECONDS, FailoverResult.class);
    assertEquals("replica0", result.newPrimary());
    assertFalse(result.pooler().paused(), result.pooler().toString());
    assertEquals(Map.of(DB, "127.0.0.1:" + replica0.port()), bouncer.databases());
    assertWritesThrough(bouncer);
  }

  /**
   * A switchover to replica0 through a PgBouncer, held at catch-up (replica0's replay paused, to be
   * resumed by the test): the pooler is paused then, the primary fenced, nothing promoted.
   */
  private FailoverWorkflow pooledRunHeldAtCatchUp(String id) throws Exception {
    usePooler();
    replica0.execute(DB, "SELECT pg_wal_replay_pause()");
    primary.execute(DB, "INSERT INTO seq SELECT generate_series(1, 100)");
    FailoverWorkflow run = newRun(id);
    WorkflowClient.start(run::run, request("replica0", null, false));
    awaitStep(run, "catch-up", StepState.RUNNING);
    return run;
  }

  /** Every acknowledged write is on {@code promoted}. */
  private static void assertAllOn(LocalCluster promoted, java.util.Collection<Long> acknowledged)
      throws SQLException {
    Set<Long> missing = new TreeSet<>(acknowledged);
    try (Connection c = promoted.connect(DB);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT n FROM seq")) {
      while (rs.next()) {
        missing.remove(rs.getLong(1));
      }
    }
    assertEquals(Set.of(), missing, "acknowledged writes missing on the new primary");
  }

  private static void assertWritesThrough(LocalPgBouncer bouncer) throws Exception {
    WritingClients writers = new WritingClients(bouncer.jdbcUrl(DB), "app", APP_PASSWORD, 1);
    try {
      writers.awaitAcknowledged(10);
    } finally {
      writers.stop();
    }
    assertTrue(writers.acknowledged.size() >= 10, writers.failures.toString());
  }

  /**
   * Puts a PgBouncer in front of the primary (the application's clients go through it) and gives
   * the activity worker a configuration that names it under failover.pooler.
   */
  private void usePooler() throws Exception {
    bouncer =
        LocalPgBouncer.builder()
            .name("orders")
            .database(DB, primary)
            .user("app", APP_PASSWORD)
            .start();
    secrets.write(
        "pgbouncer/orders",
        Map.of("username", LocalPgBouncer.ADMIN_USER, "password", bouncer.adminPassword()),
        OptionalInt.of(0));
    Path file = dir.resolve("runbooks.yaml");
    String pooled =
        Files.readString(file)
            .replace(
                "    failover: { catchUpTimeout: PT60S }\n",
                "    failover:\n"
                    + "      catchUpTimeout: PT60S\n"
                    + "      pooler: { host: 127.0.0.1, port: "
                    + bouncer.port()
                    + ", admin: { secret: pgbouncer/orders }, ini: "
                    + bouncer.iniFile()
                    + " }\n");
    Files.writeString(file, pooled);
    activities = activities(file);
    factory.shutdownNow();
    workerStubs.shutdownNow();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    factory = startWorker();
  }

  // ---- helpers -----------------------------------------------------------------------------

  /**
   * Does what the rebuild step says, command for command, as the data directory's owner: the step
   * is exact when the old primary then streams from the new one.
   */
  private void followTheRebuildStep(String step) throws Exception {
    String dir = primary.dataDir().toString();
    String owner = Files.getOwner(primary.dataDir()).getName();
    List<String> move = List.of("mv", dir, dir + ".before-rejoin");
    List<String> copy =
        List.of(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            Integer.toString(replica0.port()),
            "-U",
            "postgres",
            "-D",
            dir,
            "-R",
            "-X",
            "stream",
            "-c",
            "fast");
    List<String> start = List.of("pg_ctl", "-D", dir, "-l", dir + "/runbooks-rejoin.log", "start");
    for (List<String> command : List.of(move, copy, start)) {
      assertTrue(step.contains(String.join(" ", command)), "no `" + command + "` in: " + step);
    }
    // The password in a passfile, as the step says, so that -R does not write it anywhere.
    Path passfile = primary.directory().resolve("rebuild.pgpass");
    Files.writeString(passfile, "*:*:*:postgres:" + PASSWORD + "\n");
    Files.setPosixFilePermissions(passfile, PosixFilePermissions.fromString("rw-------"));
    Files.setOwner(passfile, Files.getOwner(primary.dataDir()));
    Path bin = PgBinaries.require().binDir();
    asOwner(owner, move, Map.of());
    asOwner(owner, withBin(bin, copy), Map.of("PGPASSFILE", passfile.toString()));
    for (String own : List.of("postgresql.conf", "pg_hba.conf", "pg_ident.conf")) {
      // In place, so the file keeps its owner.
      Files.write(
          primary.dataDir().resolve(own), Files.readAllBytes(Path.of(dir + ".before-rejoin", own)));
    }
    asOwner(owner, withBin(bin, start), Map.of());
    assertFalse(
        Files.readString(primary.dataDir().resolve("postgresql.auto.conf")).contains(PASSWORD),
        "the rebuild wrote the password into primary_conninfo");
  }

  private static List<String> withBin(Path bin, List<String> command) {
    List<String> argv = new ArrayList<>(command);
    argv.set(0, bin.resolve(command.get(0)).toString());
    return argv;
  }

  private static void asOwner(String owner, List<String> argv, Map<String, String> env)
      throws Exception {
    List<String> command = new ArrayList<>();
    if (!owner.equals(System.getProperty("user.name"))) {
      command.addAll(List.of("runuser", "-u", owner, "--"));
    }
    command.addAll(argv);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    String out = new String(process.getInputStream().readAllBytes());
    assertTrue(process.waitFor(120, TimeUnit.SECONDS), argv + " did not finish");
    assertEquals(0, process.exitValue(), argv + ": " + out);
  }

  private void restartActivityWorker(PgBinaries binaries) throws Exception {
    factory.shutdownNow();
    workerStubs.shutdownNow();
    factory.awaitTermination(30, TimeUnit.SECONDS);
    activities =
        new FailoverActivitiesImpl(
            new ConfiguredConnections(config, secrets),
            FailoverTargets.fromConfig(config),
            secrets,
            Optional.of(binaries),
            Clock.systemUTC(),
            Duration.ofMillis(200),
            Duration.ofSeconds(20));
    factory = startWorker();
  }

  private static void assertNoSlotLeft(LocalCluster server) throws SQLException {
    try (Connection c = server.connect(DB);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_replication_slots")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "a replication slot was left on " + server.name());
    }
  }

  private static Step step(FailoverWorkflow run, String name) {
    return run.progress().steps().stream()
        .filter(s -> s.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  /** Each server's state in the result is what the server itself says now. */
  private void assertServersReadBack(FailoverResult result) throws Exception {
    for (ServerState state : result.servers()) {
      LocalCluster cluster = byName(state.name());
      String what = state.name() + " reported as " + state;
      assertEquals(cluster.isRunning(), state.running(), what);
      if (!cluster.isRunning()) {
        assertTrue(state.status().startsWith("stopped"), what);
        continue;
      }
      try (Connection c = cluster.connect(DB);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT pg_is_in_recovery(), (SELECT sender_port FROM pg_stat_wal_receiver),"
                      + " coalesce(current_setting('runbooks.fence', true), '')")) {
        rs.next();
        assertEquals(rs.getBoolean(1), state.inRecovery(), what);
        int port = rs.getInt(2);
        String following =
            rs.wasNull()
                ? ""
                : List.of(primary, replica0, replica1).stream()
                    .filter(x -> x.port() == port)
                    .findFirst()
                    .map(LocalCluster::name)
                    .orElse("127.0.0.1:" + port);
        assertEquals(following, state.following(), what);
        assertEquals(!rs.getString(3).isEmpty(), state.fence().startsWith("fenced by"), what);
      }
    }
  }

  private void assertNothingChanged() throws Exception {
    try (Connection c = primary.connect(DB);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_file_settings WHERE name IN ('runbooks.fence',"
                    + " 'default_transaction_read_only')")) {
      rs.next();
      assertEquals(0, rs.getInt(1), "the primary has fencing settings");
    }
    appInsert(primary.port(), -100); // the application still logs in and writes
    primary.execute(DB, "DELETE FROM seq WHERE n = -100");
    for (LocalCluster r : List.of(replica0, replica1)) {
      if (r.isRunning()) {
        try (Connection c = r.connect(DB);
            Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT pg_is_in_recovery()")) {
          rs.next();
          assertTrue(rs.getBoolean(1), r.name() + " left recovery");
        }
      }
    }
  }

  private static void appInsert(int port, long n) throws SQLException {
    try (Connection c = appConnection(port);
        PreparedStatement s = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
      s.setLong(1, n);
      s.executeUpdate();
    }
  }

  private static Connection appConnection(int port) throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "app");
    p.setProperty("password", APP_PASSWORD);
    p.setProperty("connectTimeout", "5");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + DB, p);
  }

  private static long count(LocalCluster c) throws SQLException {
    try (Connection conn = c.connect(DB);
        Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM seq WHERE n BETWEEN 1 AND 999999999")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static void awaitReplayed(LocalCluster replica, long rows) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (count(replica) < rows) {
      assertTrue(System.nanoTime() < deadline, replica.name() + " did not replay " + rows);
      Thread.sleep(20);
    }
  }

  private static void assertStreamsFrom(LocalCluster replica, LocalCluster from) throws Exception {
    long marker = 1_000_000_000L + MARKERS.incrementAndGet();
    from.execute(DB, "INSERT INTO seq VALUES (" + marker + ")");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      try (Connection c = replica.connect(DB);
          Statement s = c.createStatement();
          ResultSet rs =
              s.executeQuery(
                  "SELECT (SELECT sender_port FROM pg_stat_wal_receiver WHERE status ="
                      + " 'streaming'), (SELECT count(*) FROM seq WHERE n = "
                      + marker
                      + ")")) {
        rs.next();
        if (rs.getInt(1) == from.port() && rs.getLong(2) == 1) {
          return;
        }
      }
      assertTrue(
          System.nanoTime() < deadline,
          replica.name() + " does not stream from " + from.name() + " at " + from.port());
      Thread.sleep(50);
    }
  }

  private static int closedPort() throws Exception {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Every server accepts connections in the role the test expects: the primary out of recovery,
   * each replica in recovery and streaming from it. A test starts from that, never from a server
   * still starting.
   */
  private void awaitRoles() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (LocalCluster server : clusters) {
      boolean replica = server != primary;
      String role = replica ? "a replica streaming from primary" : "a primary";
      while (true) {
        String found;
        try (Connection c = server.connect(DB);
            Statement s = c.createStatement();
            ResultSet rs =
                s.executeQuery(
                    "SELECT pg_is_in_recovery(), (SELECT sender_port FROM pg_stat_wal_receiver"
                        + " WHERE status = 'streaming')")) {
          rs.next();
          boolean ready =
              replica ? rs.getBoolean(1) && rs.getInt(2) == primary.port() : !rs.getBoolean(1);
          if (ready) {
            break;
          }
          found = "in recovery " + rs.getBoolean(1) + ", streaming from port " + rs.getInt(2);
        } catch (SQLException e) {
          found = e.getMessage();
        }
        assertTrue(
            System.nanoTime() < deadline,
            server.name() + " is not " + role + " after 60 s: " + found);
        Thread.sleep(50);
      }
    }
  }

  private static void awaitStep(FailoverWorkflow run, String step, StepState state)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      var progress = run.progress();
      if (progress.steps().stream().anyMatch(s -> s.name().equals(step) && s.state() == state)) {
        return;
      }
      assertFalse(progress.outcome().finished(), "the run ended early: " + progress);
      assertTrue(
          System.nanoTime() < deadline, "step " + step + " never " + state + ": " + progress);
      Thread.sleep(50);
    }
  }

  /** Inserts 1, 2, 3, ... as the application role, recording each acknowledged insert. */
  private static final class Writer implements Runnable {
    final List<Long> acknowledged = new CopyOnWriteArrayList<>();
    final List<String> failures = new CopyOnWriteArrayList<>();
    private final int port;
    private volatile boolean stopped;

    Writer(int port) {
      this.port = port;
    }

    void stop() {
      stopped = true;
    }

    void awaitAcknowledged(int n) throws InterruptedException {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (acknowledged.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }

    @Override
    public void run() {
      long n = 0;
      Connection c = null;
      while (!stopped) {
        try {
          if (c == null) {
            c = appConnection(port);
          }
          n++;
          try (PreparedStatement s = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
            s.setLong(1, n);
            s.executeUpdate();
          }
          acknowledged.add(n);
        } catch (SQLException e) {
          failures.add(e.getSQLState() + " " + e.getMessage());
          close(c);
          c = null;
          try {
            Thread.sleep(5);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
      close(c);
    }

    private static void close(Connection c) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // the server ended the session already
        }
      }
    }
  }
}
