package dev.runbooks.activities.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.runbooks.activities.check.FixtureConnections.Endpoint;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import dev.runbooks.workflows.check.Severity;
import io.temporal.failure.ApplicationFailure;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Every check against real clusters: a primary with pg_stat_statements preloaded and a streaming
 * replica, plus a plain primary without it. Each finding is provoked for real (paused replay, held
 * locks, open transactions, limited roles, closed ports) and awaited with a deadline, never a fixed
 * sleep.
 */
class CheckActivitiesImplTest {
  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary()
          .withReplicas(1)
          .withSetting("shared_preload_libraries", "pg_stat_statements")
          // Fixed, so that one connection is a known share of them (the connections test).
          .withSetting("max_connections", "50");

  /** A cluster without pg_stat_statements preloaded. */
  @RegisterExtension static final PostgresExtension plain = PostgresExtension.newPrimary();

  private static final String DB = "orders";

  /** A database of its own so that slow lock waits elsewhere do not top its statistics. */
  private static final String STATS_DB = "stats";

  private static final String LIMITED = "limited_admin";

  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private static final CheckInput INPUT =
      new CheckInput(FixtureConnections.TARGET, Duration.ofMinutes(5));

  private final ExecutorService sessions = Executors.newCachedThreadPool();

  @BeforeAll
  static void databases() throws SQLException {
    pg.primary().execute("postgres", "CREATE DATABASE " + DB, "CREATE DATABASE " + STATS_DB);
    pg.primary()
        .execute(
            "postgres",
            "CREATE ROLE " + LIMITED + " LOGIN",
            "CREATE ROLE operator LOGIN CREATEROLE REPLICATION",
            "GRANT pg_monitor TO operator");
    pg.primary().execute(STATS_DB, "CREATE EXTENSION pg_stat_statements");
  }

  @AfterEach
  void stopSessions() throws InterruptedException {
    sessions.shutdownNow();
    assertTrue(sessions.awaitTermination(30, TimeUnit.SECONDS), "test sessions did not end");
  }

  // --- connectivity

  @Test
  void connectivityReportsTheVersionOfAPrimaryThatIsNotInRecovery() {
    Finding f = single(checks().checkConnectivity(INPUT));

    assertEquals(Severity.OK, f.severity(), f::toString);
    assertTrue(f.summary().contains("PostgreSQL 15"), f.summary());
    assertTrue(f.summary().contains(describePrimary()), f.summary());
    assertTrue(f.details().contains("in recovery: no"), f.details()::toString);
    assertTrue(f.details().stream().anyMatch(d -> d.startsWith("up ")), f.details()::toString);
  }

  @Test
  void connectivityIsCriticalWhenTheConfiguredPrimaryIsInRecovery() {
    FixtureConnections standbyAsPrimary = connections().withPrimary(endpoint(pg.replica(0), "x"));

    Finding f = single(checks(standbyAsPrimary).checkConnectivity(INPUT));

    assertEquals(Severity.CRITICAL, f.severity(), f::toString);
    assertTrue(f.summary().contains("is in recovery"), f.summary());
    assertTrue(
        f.details().stream().anyMatch(d -> d.contains(": in recovery, timeline ")),
        f.details()::toString);
    assertTrue(f.advice().contains("runbook failover --target orders"), f.advice());
  }

  @Test
  void connectivityIsCriticalNamingHostAndPortWhenNothingListens() {
    int port = FixtureConnections.closedPort();
    FixtureConnections nowhere =
        connections().withPrimary(new Endpoint("primary", "127.0.0.1", port));

    Finding f = single(checks(nowhere).checkConnectivity(INPUT));

    assertEquals(Severity.CRITICAL, f.severity(), f::toString);
    assertTrue(f.summary().contains("127.0.0.1:" + port), f.summary());
    assertTrue(f.summary().contains("refused"), f.summary());
    assertTrue(f.advice().contains("pg_hba.conf"), f.advice());
  }

  @Test
  void otherChecksReportAnUnreachablePrimaryAsCriticalInsteadOfThrowing() {
    int port = FixtureConnections.closedPort();
    CheckActivitiesImpl checks =
        checks(connections().withPrimary(new Endpoint("primary", "127.0.0.1", port)));

    for (Findings findings :
        List.of(
            checks.checkPrivileges(INPUT),
            checks.checkDatabaseSize(INPUT),
            checks.checkLongTransactions(INPUT),
            checks.checkLockChains(INPUT),
            checks.checkConnections(INPUT),
            checks.checkSlowStatements(INPUT))) {
      Finding f = single(findings);
      assertEquals(Severity.CRITICAL, f.severity(), f::toString);
      assertTrue(f.summary().contains("127.0.0.1:" + port), f.summary());
    }
  }

  @Test
  void aRefusedLoginFailsTheActivityAsNonRetryableAuthentication() {
    CheckActivitiesImpl checks = checks(connections().withUser("no_such_role"));

    for (Runnable check :
        List.<Runnable>of(
            () -> checks.checkConnectivity(INPUT),
            () -> checks.checkPrivileges(INPUT),
            () -> checks.checkReplicas(INPUT))) {
      ApplicationFailure failure = assertThrows(ApplicationFailure.class, check::run);
      assertEquals("AUTHENTICATION", failure.getType());
      assertTrue(failure.isNonRetryable());
    }
  }

  @Test
  void aRefusedLoginThatTheConnectionsPassOnRawIsStillAuthentication() {
    CheckActivitiesImpl checks =
        checks(connections().withUser("no_such_role").withRawLoginErrors());

    ApplicationFailure failure =
        assertThrows(ApplicationFailure.class, () -> checks.checkConnectivity(INPUT));

    assertEquals("AUTHENTICATION", failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(failure.getOriginalMessage().contains("no_such_role"), failure::getMessage);
  }

  // --- privileges

  @Test
  void privilegesAreOkForASuperuserAndForARoleWithEveryGrant() {
    Finding superuser = single(checks().checkPrivileges(INPUT));
    Finding operator = single(checks(connections().withUser("operator")).checkPrivileges(INPUT));

    assertEquals(Severity.OK, superuser.severity(), superuser::toString);
    assertTrue(superuser.summary().contains("superuser"), superuser.summary());
    assertEquals(Severity.OK, operator.severity(), operator::toString);
    assertEquals(
        "admin role operator has CREATEROLE, REPLICATION and pg_monitor", operator.summary());
  }

  @Test
  void privilegesOfALimitedRoleWarnNamingTheStatementsToRun() {
    Finding f = single(checks(connections().withUser(LIMITED)).checkPrivileges(INPUT));

    assertEquals(Severity.WARN, f.severity(), f::toString);
    assertEquals(
        "admin role " + LIMITED + " lacks CREATEROLE, REPLICATION, pg_monitor", f.summary());
    assertEquals(
        "As a superuser, run: ALTER ROLE "
            + LIMITED
            + " CREATEROLE REPLICATION; GRANT pg_monitor TO "
            + LIMITED
            + ";",
        f.advice());
    assertEquals(3, f.details().size(), f.details()::toString);
  }

  // --- database size

  @Test
  void databaseSizeIsReportedPrettyAndInBytes() throws SQLException {
    long expected;
    try (Connection c = pg.primary().connect(DB);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_database_size('" + DB + "')")) {
      rs.next();
      expected = rs.getLong(1);
    }

    Findings findings = checks().checkDatabaseSize(INPUT);
    assertEquals(2, findings.findings().size(), findings::toString);
    Finding f = findings.findings().get(0);
    Finding xid = findings.findings().get(1);

    assertEquals(Severity.OK, xid.severity(), xid::toString);
    assertTrue(xid.summary().startsWith("the oldest transaction ID, in database "), xid::toString);
    assertEquals(Severity.OK, f.severity(), f::toString);
    assertTrue(f.summary().matches("database orders is [0-9.]+ (kB|MB)"), f.summary());
    long reported = Long.parseLong(f.details().get(0).replaceAll("\\D", ""));
    // Within 1 MB: background work (the statistics collector, hint bits) can change it a little.
    assertTrue(Math.abs(reported - expected) < (1 << 20), reported + " vs " + expected);
  }

  // --- replicas

  @Test
  void aHealthyStreamingReplicaIsOk() {
    Findings findings =
        eventually(
            () -> checks().checkReplicas(INPUT),
            // WAL from the previous test may still be replaying: wait until caught up.
            r ->
                r.findings().stream().allMatch(f -> f.severity() == Severity.OK)
                    && r.findings().get(0).summary().endsWith("caught up with the primary"),
            "every replica finding OK and the replica caught up");

    assertEquals(2, findings.findings().size(), findings::toString);
    Finding replica = findings.findings().get(0);
    assertTrue(
        replica.summary().equals("replica replica0: streaming, caught up with the primary"),
        replica.summary());
    assertTrue(replica.details().contains("replay paused: no"), replica.details()::toString);
    assertTrue(
        replica.details().stream()
            .anyMatch(d -> d.startsWith("the primary's view: application_name replica0 from ")),
        replica.details()::toString);
    Finding primaryView = findings.findings().get(1);
    assertEquals("the primary streams WAL to 1 standby (1 configured)", primaryView.summary());
  }

  @Test
  void aReplicaWithReplayPausedLagsInBytesAndSaysHowToResume() throws SQLException {
    LocalCluster replica = pg.replica(0);
    replica.execute("postgres", "SELECT pg_wal_replay_pause()");
    try {
      pg.primary().execute(DB, "CREATE TABLE lag_probe (n int)");

      // The pause takes effect at the replica's next WAL record: keep writing until it lags.
      Finding f =
          eventually(
              () -> {
                sql(pg.primary(), DB, "INSERT INTO lag_probe SELECT generate_series(1, 1000)");
                return replicaFinding(checks().checkReplicas(INPUT));
              },
              r -> r.summary().contains("replay paused") && lagBytes(r) > 0,
              "a paused replica lagging in bytes");

      assertEquals(Severity.WARN, f.severity(), f::toString);
      assertTrue(f.summary().startsWith("replica replica0: streaming, replay paused, replay "));
      assertTrue(f.summary().endsWith("behind the primary"), f.summary());
      assertTrue(
          f.advice().contains("run on replica replica0: SELECT pg_wal_replay_resume();"),
          f.advice());
      assertTrue(f.details().contains("replay paused: yes"), f.details()::toString);

      CheckThresholds oneByte = new CheckThresholds(1, 1, Duration.ofHours(1), 80, 95);
      Finding critical = replicaFinding(checks(connections(), oneByte).checkReplicas(INPUT));
      assertEquals(Severity.CRITICAL, critical.severity(), critical::toString);
      assertTrue(critical.advice().contains("do not fail over to it"), critical.advice());
    } finally {
      replica.execute("postgres", "SELECT pg_wal_replay_resume()");
    }
    eventually(
        () -> replicaFinding(checks().checkReplicas(INPUT)),
        r -> r.severity() == Severity.OK && lagBytes(r) == 0,
        "the replica caught up after resuming");
  }

  @Test
  void aSlotKeepingMoreWalThanTheLimitIsAWarningNamingTheArchiver() throws SQLException {
    LocalCluster primary = plain.primary();
    primary.execute(
        "postgres", "SELECT pg_create_physical_replication_slot('runbooks_archive_orders', true)");
    try {
      primary.execute(
          "postgres",
          "CREATE TABLE IF NOT EXISTS slot_filler (x int)",
          "INSERT INTO slot_filler VALUES (1)",
          "SELECT pg_switch_wal()",
          "INSERT INTO slot_filler VALUES (2)");
      CheckThresholds oneKilobyte =
          new CheckThresholds(16L << 20, 1L << 30, Duration.ofSeconds(30), 80, 95, 1024);
      Finding warn = slotFinding(checks(plainConnections(), oneKilobyte).checkReplicas(INPUT));
      assertEquals(Severity.WARN, warn.severity(), warn::toString);
      assertTrue(warn.summary().startsWith("replication slot runbooks_archive_orders keeps "));
      assertTrue(warn.summary().endsWith("nothing is consuming it"), warn.summary());
      assertTrue(warn.advice().contains("runbook archive status"), warn.advice());

      Finding ok = slotFinding(checks(plainConnections()).checkReplicas(INPUT));
      assertEquals(Severity.OK, ok.severity(), ok::toString);
    } finally {
      primary.execute("postgres", "SELECT pg_drop_replication_slot('runbooks_archive_orders')");
    }
  }

  private static Finding slotFinding(Findings findings) {
    return findings.findings().stream()
        .filter(f -> f.check().equals("replication-slots"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no slot finding in " + findings));
  }

  @Test
  void anUnreachableReplicaIsCriticalAndThePrimaryStreamsToFewerThanConfigured() {
    int port = FixtureConnections.closedPort();
    FixtureConnections withGone =
        connections().plusReplica(new Endpoint("gone", "127.0.0.1", port));

    List<Finding> findings = checks(withGone).checkReplicas(INPUT).findings();

    assertEquals(3, findings.size(), findings::toString);
    Finding gone = findings.get(1);
    assertEquals(Severity.CRITICAL, gone.severity(), gone::toString);
    assertTrue(gone.summary().startsWith("replica gone is unreachable: "), gone.summary());
    assertTrue(gone.summary().contains("127.0.0.1:" + port), gone.summary());
    Finding primaryView = findings.get(2);
    assertEquals(Severity.WARN, primaryView.severity(), primaryView::toString);
    assertEquals(
        "the primary streams WAL to 1 standby, but 2 replicas are configured",
        primaryView.summary());
  }

  @Test
  void aConfiguredReplicaThatIsNotInRecoveryIsCritical() {
    FixtureConnections primaryAsReplica =
        connections().withReplicas(endpoint(pg.primary(), "impostor"));

    Finding f = checks(primaryAsReplica).checkReplicas(INPUT).findings().get(0);

    assertEquals(Severity.CRITICAL, f.severity(), f::toString);
    assertEquals(
        "replica impostor is not a replica: it is not in recovery and accepts writes", f.summary());
    assertTrue(f.advice().contains("split brain"), f.advice());
  }

  @Test
  void noConfiguredReplicasIsOneOkFinding() {
    Finding f = single(checks(connections().withReplicas()).checkReplicas(INPUT));

    assertEquals(Severity.OK, f.severity());
    assertEquals("no replicas are configured for target orders", f.summary());
  }

  @Test
  void aRoleWithoutPgMonitorCannotSeeReplicationStateAndIsToldWhatToGrant() {
    List<Finding> findings =
        checks(connections().withUser(LIMITED)).checkReplicas(INPUT).findings();

    Finding replica = findings.get(0);
    assertEquals(Severity.WARN, replica.severity(), replica::toString);
    assertTrue(
        replica.summary().contains("WAL receiver status not visible to this role"),
        replica.summary());
    assertTrue(replica.advice().contains("GRANT pg_monitor TO " + LIMITED + ";"), replica.advice());
    Finding primaryView = findings.get(1);
    assertEquals(Severity.WARN, primaryView.severity(), primaryView::toString);
    assertEquals("As a superuser, run: GRANT pg_monitor TO " + LIMITED + ";", primaryView.advice());
  }

  // --- long transactions

  @Test
  void aTransactionLeftOpenPastTheLimitIsReportedWithHowToEndIt() throws SQLException {
    try (Connection open = pg.primary().connect(DB)) {
      open.setAutoCommit(false);
      int pid = pid(open);
      try (Statement s = open.createStatement()) {
        s.execute("SELECT txid_current()");
      }
      CheckInput oneSecond = new CheckInput(FixtureConnections.TARGET, Duration.ofSeconds(1));

      Finding f =
          eventually(
              () -> findingNaming(checks().checkLongTransactions(oneSecond), "pid " + pid + " "),
              r -> r != null,
              "a long-transaction finding for pid " + pid);

      assertEquals(Severity.WARN, f.severity(), f::toString);
      assertTrue(f.summary().contains("(user postgres, application "), f.summary());
      assertTrue(f.summary().contains("idle in transaction"), f.summary());
      assertTrue(f.details().contains("query: SELECT txid_current()"), f.details()::toString);
      assertTrue(f.advice().contains("SELECT pg_terminate_backend(" + pid + ")"), f.advice());
      assertTrue(f.advice().contains("idle_in_transaction_session_timeout"), f.advice());

      Findings withinAnHour =
          checks()
              .checkLongTransactions(
                  new CheckInput(FixtureConnections.TARGET, Duration.ofHours(1)));
      assertEquals(
          List.of(
              Finding.ok("long-transactions", "no transaction has been open longer than 1h 0m")
                  .withFigures(List.of(Figure.of(Figure.LONG_TRANSACTIONS, 0)))),
          withinAnHour.findings());
      open.rollback();
    }
  }

  @Test
  void aRoleWithoutPgMonitorIsWarnedThatItSeesOnlyItsOwnTransactions() {
    List<Finding> findings =
        checks(connections().withUser(LIMITED)).checkLongTransactions(INPUT).findings();

    Finding f = findings.get(0);
    assertEquals(Severity.WARN, f.severity(), f::toString);
    assertEquals("As a superuser, run: GRANT pg_monitor TO " + LIMITED + ";", f.advice());
  }

  // --- lock chains

  @Test
  void aSessionWaitingOnAnExclusiveLockIsAChainNamingBothSessions() throws Exception {
    pg.primary().execute(DB, "CREATE TABLE locked (i int)");
    try (Connection holder = pg.primary().connect(DB);
        Connection waiter = pg.primary().connect(DB)) {
      holder.setAutoCommit(false);
      int holderPid = pid(holder);
      int waiterPid = pid(waiter);
      try (Statement s = holder.createStatement()) {
        s.execute("LOCK TABLE locked IN ACCESS EXCLUSIVE MODE");
      }
      Future<?> blocked = sessions.submit(() -> query(waiter, "SELECT * FROM locked"));

      Finding f =
          eventually(
              () -> findingNaming(checks().checkLockChains(INPUT), "pid " + waiterPid + " "),
              r -> r != null,
              "a lock chain from pid " + waiterPid);

      assertEquals(Severity.WARN, f.severity(), f::toString);
      assertTrue(
          f.summary()
              .startsWith(
                  "pid "
                      + waiterPid
                      + " (SELECT * FROM locked) waits on pid "
                      + holderPid
                      + " (LOCK TABLE locked IN ACCESS EXCLUSIVE MODE) for "),
          f.summary());
      assertEquals(2, f.details().size(), f.details()::toString);
      assertTrue(f.details().get(0).startsWith("pid " + waiterPid + ": user postgres"));
      assertTrue(f.details().get(0).contains("waiting on Lock:relation for "));
      assertTrue(f.details().get(0).endsWith(": SELECT * FROM locked"));
      assertTrue(f.details().get(1).startsWith("pid " + holderPid + ": user postgres"));
      assertTrue(f.details().get(1).endsWith(": LOCK TABLE locked IN ACCESS EXCLUSIVE MODE"));
      assertTrue(f.advice().startsWith("Root blocker: pid " + holderPid + " "), f.advice());
      assertTrue(f.advice().contains("SELECT pg_terminate_backend(" + holderPid + ")"));

      holder.rollback();
      blocked.get(30, TimeUnit.SECONDS);
    }
    eventually(
        () -> single(checks().checkLockChains(INPUT)),
        r -> r.severity() == Severity.OK,
        "no lock chain once the holder rolled back");
  }

  @Test
  void aQueueBehindAStuckAlterTableIsOneChainUpToTheOpenTransaction() throws Exception {
    pg.primary().execute(DB, "CREATE TABLE queued (i int)");
    try (Connection reader = pg.primary().connect(DB);
        Connection alterer = pg.primary().connect(DB);
        Connection queued = pg.primary().connect(DB)) {
      reader.setAutoCommit(false);
      int readerPid = pid(reader);
      int altererPid = pid(alterer);
      int queuedPid = pid(queued);
      try (Statement s = reader.createStatement()) {
        s.execute("SELECT count(*) FROM queued");
      }
      Future<?> alter =
          sessions.submit(() -> query(alterer, "ALTER TABLE queued ADD COLUMN j int"));
      eventually(
          () -> findingNaming(checks().checkLockChains(INPUT), "pid " + altererPid + " "),
          r -> r != null,
          "the ALTER TABLE waiting");
      Future<?> select = sessions.submit(() -> query(queued, "SELECT * FROM queued"));

      Findings chains =
          eventually(
              () -> checks().checkLockChains(INPUT),
              r -> findingNaming(r, "pid " + queuedPid + " ") != null,
              "the SELECT queued behind the ALTER TABLE");

      assertEquals(1, chains.findings().size(), chains::toString);
      Finding f = chains.findings().get(0);
      assertTrue(
          f.summary()
              .startsWith(
                  "pid "
                      + queuedPid
                      + " (SELECT * FROM queued) waits on pid "
                      + altererPid
                      + " (ALTER TABLE queued ADD COLUMN j int) waits on pid "
                      + readerPid
                      + " (SELECT count(*) FROM queued) for "),
          f.summary());
      assertEquals(3, f.details().size(), f.details()::toString);
      assertTrue(f.details().get(2).contains("idle in transaction"), f.details()::toString);
      assertTrue(f.advice().startsWith("Root blocker: pid " + readerPid + " "), f.advice());
      assertTrue(f.advice().contains("SELECT pg_terminate_backend(" + readerPid + ")"));

      reader.rollback();
      alter.get(30, TimeUnit.SECONDS);
      select.get(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void sessionsWaitingOnEachOtherAreOneChainThatSaysItIsADeadlock() throws Exception {
    pg.primary().execute(DB, "CREATE TABLE left_side (i int)", "CREATE TABLE right_side (i int)");
    try (Connection first = pg.primary().connect(DB);
        Connection second = pg.primary().connect(DB)) {
      int firstPid = pid(first);
      int secondPid = pid(second);
      for (Connection c : List.of(first, second)) {
        c.setAutoCommit(false);
        // Keeps the server from breaking the deadlock while the check looks at it.
        query(c, "SET deadlock_timeout = '10min'");
      }
      query(first, "LOCK TABLE left_side IN ACCESS EXCLUSIVE MODE");
      query(second, "LOCK TABLE right_side IN ACCESS EXCLUSIVE MODE");
      Future<?> firstWaits =
          sessions.submit(() -> query(first, "LOCK TABLE right_side IN ACCESS EXCLUSIVE MODE"));
      eventually(
          () -> findingNaming(checks().checkLockChains(INPUT), "pid " + firstPid + " "),
          r -> r != null,
          "the first session waiting");
      Future<?> secondWaits =
          sessions.submit(() -> query(second, "LOCK TABLE left_side IN ACCESS EXCLUSIVE MODE"));

      Findings chains =
          eventually(
              () -> checks().checkLockChains(INPUT),
              r -> r.findings().stream().anyMatch(f -> f.summary().contains("(a deadlock)")),
              "a cycle");

      assertEquals(1, chains.findings().size(), chains::toString);
      Finding f = chains.findings().get(0);
      assertEquals(Severity.WARN, f.severity(), f::toString);
      assertTrue(f.summary().contains("pid " + firstPid + " ("), f.summary());
      assertTrue(f.summary().contains("pid " + secondPid + " ("), f.summary());
      assertEquals(2, f.details().size(), f.details()::toString);
      assertTrue(f.advice().startsWith("These sessions wait on each other"), f.advice());

      // Cancelling one side breaks the cycle; the other then gets its lock.
      pg.primary().execute("postgres", "SELECT pg_cancel_backend(" + secondPid + ")");
      ExecutionException cancelled =
          assertThrows(ExecutionException.class, () -> secondWaits.get(30, TimeUnit.SECONDS));
      assertTrue(cancelled.getCause() instanceof SQLException, cancelled::toString);
      second.rollback();
      firstWaits.get(30, TimeUnit.SECONDS);
      first.rollback();
    }
  }

  // --- connections

  @Test
  void connectionsInUseAreComparedWithTheConnectionsOrdinaryRolesMayUse() throws SQLException {
    int available;
    try (Connection c = pg.primary().connect(DB);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('max_connections')::int"
                    + " - current_setting('superuser_reserved_connections')::int")) {
      rs.next();
      available = rs.getInt(1);
    }

    Finding ok = single(checks().checkConnections(INPUT));
    Finding warn =
        single(
            checks(connections(), new CheckThresholds(1, 2, Duration.ofSeconds(1), 1, 100))
                .checkConnections(INPUT));
    Finding critical =
        single(
            checks(connections(), new CheckThresholds(1, 2, Duration.ofSeconds(1), 1, 1))
                .checkConnections(INPUT));

    assertEquals(47, available, "max_connections 50 minus 3 reserved for superusers");
    assertEquals(Severity.OK, ok.severity(), ok::toString);
    assertTrue(ok.summary().matches("\\d+ of " + available + " connections in use \\(\\d+%\\)"));
    assertTrue(ok.details().get(1).startsWith("by state: "), ok.details()::toString);
    assertTrue(ok.details().get(1).contains("active "), ok.details()::toString);
    assertEquals(Severity.WARN, warn.severity(), warn::toString);
    assertTrue(warn.summary().endsWith("at or above the 1% threshold"), warn.summary());
    assertTrue(warn.advice().contains("PgBouncer"), warn.advice());
    assertEquals(Severity.CRITICAL, critical.severity(), critical::toString);
  }

  // --- slow statements

  @Test
  void slowStatementsListTheHighestMeanTimesFromPgStatStatements() throws SQLException {
    pg.primary()
        .execute(
            STATS_DB,
            "SELECT pg_stat_statements_reset()",
            "SELECT pg_sleep(0.3)",
            "SELECT pg_sleep(0.3)");

    List<Finding> findings =
        checks(connections().withDatabase(STATS_DB)).checkSlowStatements(INPUT).findings();

    Finding f = findings.get(0);
    assertEquals(1, findings.size(), findings::toString);
    assertEquals(Severity.OK, f.severity(), f::toString);
    assertTrue(f.summary().contains("highest mean execution time in database stats"));
    assertTrue(f.details().size() >= 1 && f.details().size() <= 5, f.details()::toString);
    assertTrue(
        f.details().get(0).matches("1\\. mean [0-9.]+ ms, calls 2, total [0-9.]+ ms: .*pg_sleep.*"),
        f.details()::toString);
  }

  @Test
  void pgStatStatementsPreloadedButNotCreatedAsksOnlyForCreateExtension() {
    Finding f = single(checks().checkSlowStatements(INPUT));

    assertEquals(Severity.OK, f.severity(), f::toString);
    assertTrue(f.summary().startsWith("pg_stat_statements is not installed in database orders"));
    assertEquals(
        "To see them, run as a superuser in database orders: CREATE EXTENSION"
            + " pg_stat_statements;",
        f.advice());
  }

  @Test
  void pgStatStatementsNeitherPreloadedNorCreatedAsksForBoth() {
    Finding f = single(checks(plainConnections()).checkSlowStatements(INPUT));

    assertEquals(Severity.OK, f.severity(), f::toString);
    assertTrue(f.advice().contains("shared_preload_libraries = 'pg_stat_statements'"), f.advice());
    assertTrue(f.advice().contains("restart PostgreSQL"), f.advice());
    assertTrue(f.advice().endsWith("CREATE EXTENSION pg_stat_statements;"), f.advice());
  }

  @Test
  void pgStatStatementsCreatedButNotPreloadedWarnsToPreloadAndRestart() throws SQLException {
    plain.primary().execute("postgres", "CREATE DATABASE created_only");
    plain.primary().execute("created_only", "CREATE EXTENSION pg_stat_statements");

    Finding f =
        single(checks(plainConnections().withDatabase("created_only")).checkSlowStatements(INPUT));

    assertEquals(Severity.WARN, f.severity(), f::toString);
    assertTrue(f.summary().contains("but its library is not loaded"), f.summary());
    assertTrue(
        f.advice()
            .startsWith(
                "Set shared_preload_libraries = 'pg_stat_statements' in postgresql.conf and"
                    + " restart PostgreSQL"),
        f.advice());
  }

  @Test
  void thePreflightsWorstFindingNamesTheWorkersConfigurationSoEveryRunRecordsIt() {
    String used = "/etc/runbooks/runbooks.yaml (digest 0123456789ab)";
    FixtureConnections limited = connections().withUser(LIMITED);
    CheckActivitiesImpl checks = new CheckActivitiesImpl(limited, CheckThresholds.defaults(), used);
    String marker =
        CheckActivitiesImpl.CONFIGURATION + used + ", primary " + limited.describe(INPUT.target());

    Finding connectivity = single(checks.checkConnectivity(INPUT));
    Finding privileges = single(checks.checkPrivileges(INPUT));
    Finding superuser =
        single(
            new CheckActivitiesImpl(connections(), CheckThresholds.defaults(), used)
                .checkPrivileges(INPUT));

    assertEquals(Severity.OK, connectivity.severity(), connectivity::toString);
    assertTrue(connectivity.summary().endsWith("; " + marker), connectivity.summary());
    assertEquals(Severity.WARN, privileges.severity(), privileges::toString);
    assertTrue(privileges.summary().endsWith("; " + marker), privileges.summary());
    assertFalse(superuser.summary().contains(marker), "an OK privilege finding stays short");
  }

  // --- helpers

  private static CheckActivitiesImpl checks() {
    return checks(connections());
  }

  private static CheckActivitiesImpl checks(FixtureConnections connections) {
    return checks(connections, CheckThresholds.defaults());
  }

  private static CheckActivitiesImpl checks(
      FixtureConnections connections, CheckThresholds thresholds) {
    return new CheckActivitiesImpl(connections, thresholds);
  }

  private static FixtureConnections connections() {
    return FixtureConnections.of(
            endpoint(pg.primary(), "primary"), endpoint(pg.replica(0), "replica0"))
        .withDatabase(DB);
  }

  private static FixtureConnections plainConnections() {
    return FixtureConnections.of(endpoint(plain.primary(), "primary"));
  }

  private static Endpoint endpoint(LocalCluster cluster, String name) {
    return new Endpoint(name, cluster.host(), cluster.port());
  }

  private static String describePrimary() {
    return pg.primary().host() + ":" + pg.primary().port() + "/" + DB;
  }

  private static Finding single(Findings findings) {
    assertEquals(1, findings.findings().size(), findings::toString);
    return findings.findings().get(0);
  }

  private static Finding replicaFinding(Findings findings) {
    Finding f = findings.findings().get(0);
    assertTrue(f.summary().startsWith("replica replica0: "), f::toString);
    return f;
  }

  private static Finding findingNaming(Findings findings, String prefix) {
    return findings.findings().stream()
        .filter(f -> f.summary().startsWith(prefix))
        .findFirst()
        .orElse(null);
  }

  private static final Pattern LAG_BYTES = Pattern.compile("^lag: (\\d+) bytes");

  /** The lag in bytes the finding's details report, or -1 when unknown. */
  private static long lagBytes(Finding f) {
    for (String line : f.details()) {
      Matcher m = LAG_BYTES.matcher(line);
      if (m.find()) {
        return Long.parseLong(m.group(1));
      }
    }
    return -1;
  }

  private static int pid(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  private static void sql(LocalCluster cluster, String database, String... statements) {
    try {
      cluster.execute(database, statements);
    } catch (SQLException e) {
      throw new IllegalStateException("test setup failed: " + e.getMessage(), e);
    }
  }

  /** Runs a statement that blocks until another session lets it go. */
  private static Void query(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }

  /** Polls until {@code done} holds, failing with the last value after the deadline. */
  private static <T> T eventually(Supplier<T> poll, Predicate<T> done, String what) {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    T last = null;
    while (System.nanoTime() < deadline) {
      last = poll.get();
      if (done.test(last)) {
        return last;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    return fail("expected " + what + " within " + DEADLINE + "; last seen: " + last);
  }
}
