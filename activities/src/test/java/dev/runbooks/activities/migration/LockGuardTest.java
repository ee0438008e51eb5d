package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runtime lock guard on a real cluster: each version starts from a reset session with the run's
 * lock_timeout, a version that gave up its lock wait is tried again within --lock-retries and
 * --lock-budget, each attempt naming the session holding the lock, and a run whose budget runs out
 * rolls back naming it.
 */
class LockGuardTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();
  private static final String PASSWORD = "guard-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final Duration LOCK_TIMEOUT = Duration.ofSeconds(1);

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;
  private MigrationHarness h;

  private MigrationHarness harness() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("migrations"));
    h =
        new MigrationHarness(
            pg.primary(),
            PASSWORD,
            "guard_" + DATABASES.incrementAndGet(),
            dir,
            migrations,
            false,
            false,
            null);
    h.cluster.execute(h.database, "CREATE SCHEMA other", "CREATE TABLE other.t (v int)");
    return h;
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  /** A report's open transaction that has read other.t: it holds ACCESS SHARE until it ends. */
  private Connection report() throws Exception {
    Connection report = h.cluster.connect(h.database);
    report.setAutoCommit(false);
    try (Statement s = report.createStatement()) {
      s.execute("SET application_name = 'nightly-report'");
      s.executeQuery("SELECT count(*) FROM other.t").close();
    }
    return report;
  }

  private static int pid(Connection c) throws Exception {
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /** What the apply reported while it waited. */
  private static final class Recorded implements Apply.Progress {
    final List<String> waits = new CopyOnWriteArrayList<>();

    @Override
    public void done(int versions) {}

    @Override
    public void waiting(String detail) {
      waits.add(detail);
    }
  }

  private List<VersionTiming> apply(List<String> versions, LockRetries retries, Recorded progress)
      throws Exception {
    return Apply.applyAll(
        h.migrators.onTarget(MigrationHarness.TARGET),
        versions,
        LOCK_TIMEOUT,
        Duration.ofMinutes(5),
        retries,
        "migration of target app",
        progress);
  }

  @Test
  void aLockTimeoutOfZeroSetByAnEarlierVersionDoesNotUnboundALaterOne() throws Exception {
    harness();
    h.write("V1__careless.sql", "SET lock_timeout = 0;\nCREATE TABLE careless (id int);\n");
    h.write("V2__widen.sql", "ALTER TABLE other.t ADD COLUMN w int;\n");
    try (Connection report = report()) {
      int holder = pid(report);
      ApplicationFailure failure =
          assertTimeoutPreemptively(
              Duration.ofSeconds(60),
              () ->
                  assertThrows(
                      ApplicationFailure.class,
                      () -> apply(List.of("1", "2"), LockRetries.NONE, new Recorded())));
      String message = failure.getOriginalMessage();
      assertEquals("MIGRATION_FAILED", failure.getType(), message);
      assertTrue(message.contains("V2 (V2__widen.sql) failed"), message);
      assertTrue(message.contains("lock timeout"), message);
      assertTrue(message.contains("pid " + holder), message);
      report.rollback();
    }
    assertEquals(List.of("1:true"), h.history());
  }

  @Test
  void aBlockerThatEndsDuringTheRetriesLetsTheVersionApply() throws Exception {
    harness();
    h.write("V1__widen.sql", "ALTER TABLE other.t ADD COLUMN w int;\n");
    Recorded progress = new Recorded();
    CompletableFuture<List<VersionTiming>> applying;
    try (Connection report = report()) {
      int holder = pid(report);
      applying =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return apply(
                      List.of("1"), new LockRetries(20, Duration.ofSeconds(120)), progress);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (progress.waits.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(progress.waits.size() >= 2, "two attempts gave up first: " + progress.waits);
      String first = progress.waits.get(0);
      assertTrue(first.startsWith("V1 attempt 1 of 21 gave up waiting for its lock"), first);
      assertTrue(first.contains("pid " + holder), first);
      assertTrue(first.contains("nightly-report"), first);
      assertTrue(first.contains("query started"), first);
      assertFalse(applying.isDone());
      report.commit();
    }
    List<VersionTiming> applied = applying.get(60, TimeUnit.SECONDS);
    assertEquals(List.of("1"), applied.stream().map(VersionTiming::version).toList());
    assertEquals(List.of("1:true"), h.history());
  }

  @Test
  void aBlockerThatNeverEndsExhaustsTheBudgetAndTheRunRollsBackNamingIt() throws Exception {
    harness();
    h.write("V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY);\n");
    h.write("U1__create_accounts.sql", "DROP TABLE accounts;\n");
    h.write("V2__widen.sql", "ALTER TABLE other.t ADD COLUMN w int;\n");
    h.write("U2__widen.sql", "ALTER TABLE other.t DROP COLUMN w;\n");
    SchemaDumps.Schema before = h.schema();
    MigrationWorkflow run = h.stub("migrate-app-guard");
    MigrationRequest request =
        new MigrationRequest(
            new RunbookRequest(MigrationHarness.TARGET, "alice", false, Duration.ofHours(1)),
            null,
            true,
            LOCK_TIMEOUT,
            Duration.ofMinutes(5),
            3,
            Duration.ofSeconds(8),
            null);
    try (Connection report = report()) {
      int holder = pid(report);
      WorkflowFailedException failed =
          assertThrows(WorkflowFailedException.class, () -> run.run(request));
      ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
      String message = cause.getOriginalMessage();
      assertEquals("MIGRATION_FAILED", cause.getType(), message);
      assertTrue(message.contains("V2 (V2__widen.sql) failed"), message);
      assertTrue(message.contains("pid " + holder), message);
      assertTrue(message.contains("nightly-report"), message);
      assertTrue(message.contains("attempts (--lock-retries 3, --lock-budget 8.0s)"), message);
      RunbookProgress progress = run.progress();
      assertEquals(Outcome.ROLLED_BACK, progress.outcome(), progress.outcomeDetail());
      report.rollback();
    }
    assertEquals(List.of(), SchemaDumps.differences(before, h.schema()));
    assertEquals(List.of(), h.history());
  }
}
