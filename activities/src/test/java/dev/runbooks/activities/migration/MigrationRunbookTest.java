package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationVersions;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The migration runbook end to end on one real cluster (a fresh database per test): the real
 * Flyway, pg_dump, backup, restore drill and lock activities under the workflow. After every failed
 * migration the target's schema must equal its schema before, by the runbook's own comparison.
 */
class MigrationRunbookTest {
  private static final AtomicInteger DATABASES = new AtomicInteger();

  private static final String PASSWORD = "mig-Secr3t-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;
  private MigrationHarness h;

  private MigrationHarness harness(boolean production, boolean fourEyes) throws Exception {
    Path migrations = dir.resolve("migrations");
    Files.createDirectories(migrations);
    h =
        new MigrationHarness(
            pg.primary(),
            PASSWORD,
            "app_" + DATABASES.incrementAndGet(),
            dir,
            migrations,
            production,
            fourEyes);
    return h;
  }

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  /** Three small migrations with down scripts. */
  private void threeMigrations() throws Exception {
    h.write(
        "V1__create_accounts.sql",
        "SET lock_timeout = '5s';\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text);\n");
    h.write("U1__create_accounts.sql", "DROP TABLE accounts;\n");
    h.write(
        "V2__index_accounts_email.sql",
        "SET lock_timeout = '5s';\nCREATE INDEX CONCURRENTLY accounts_email_idx ON accounts (email);\n");
    h.write("U2__index_accounts_email.sql", "DROP INDEX CONCURRENTLY accounts_email_idx;\n");
    h.write(
        "V3__add_accounts_name.sql",
        "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN name text;\n");
    h.write("U3__add_accounts_name.sql", "ALTER TABLE accounts DROP COLUMN name;\n");
    h.write(
        "verify/V3__add_accounts_name.sql",
        "SELECT count(*) = 1 FROM information_schema.columns"
            + " WHERE table_name = 'accounts' AND column_name = 'name';\n");
  }

  private static RunbookProgress awaitProgress(
      MigrationWorkflow run, Predicate<RunbookProgress> until) throws InterruptedException {
    Instant deadline = Instant.now().plusSeconds(120);
    RunbookProgress progress = run.progress();
    while (!until.test(progress)) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("the run never reached the expected state; last: " + progress);
      }
      Thread.sleep(50);
      progress = run.progress();
    }
    return progress;
  }

  private static RunbookProgress awaitGate(MigrationWorkflow run) throws InterruptedException {
    return awaitProgress(run, p -> "approve".equals(p.awaitingApproval()));
  }

  private static Step step(RunbookProgress progress, String name) {
    return progress.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  private static ApplicationFailure failure(WorkflowFailedException e) {
    return assertInstanceOf(ApplicationFailure.class, e.getCause());
  }

  private static ApplicationFailure failureOf(WorkflowUpdateException e) {
    return assertInstanceOf(ApplicationFailure.class, e.getCause());
  }

  private static List<String> versions(MigrationResult result) {
    return result.applied().stream().map(VersionTiming::version).toList();
  }

  @Test
  void migratesToAVersionThenToTheLatestAfterApprovalRehearsingFromTheVerifiedBackup()
      throws Exception {
    harness(false, false);
    threeMigrations();

    // --to 2, auto-approved on a non-production target: no backup to restore yet, so the
    // rehearsal runs on a schema-only copy.
    MigrationWorkflow first = h.stub("migrate-app-1");
    MigrationResult toTwo = first.run(h.request("alice", "2", true));
    assertEquals(List.of("1", "2"), versions(toTwo));
    assertNull(toTwo.fromVersion());
    assertEquals("2", toTwo.toVersion());
    assertTrue(toTwo.rehearsal().rollbackProven());
    assertTrue(toTwo.rehearsal().source().startsWith("schema only"), toTwo.rehearsal().source());
    assertEquals(List.of("1:true", "2:true"), h.history());
    assertNotNull(toTwo.backupId());
    assertEquals(List.of(toTwo.backupId()), first.referencedBackups());
    RunbookProgress done = first.progress();
    assertEquals(Outcome.SUCCEEDED, done.outcome());
    assertEquals(StepState.SKIPPED, step(done, "approve").state());
    assertEquals(List.of(), h.databases("rehearse_"));
    assertEquals(List.of(), h.databases("drill_"));

    // To the latest, approved by someone: the rehearsal restores the verified pre-migration
    // backup of the first run (taken before V1) and catches it up to V2 first.
    MigrationWorkflow second = h.stub("migrate-app-2");
    WorkflowClient.start(second::run, h.request("alice", null, false));
    RunbookProgress waiting = awaitGate(second);
    assertEquals(StepState.DONE, step(waiting, "rehearse").state());
    assertTrue(
        step(waiting, "rehearse").detail().contains("backup " + toTwo.backupId()),
        step(waiting, "rehearse").detail());
    assertTrue(step(waiting, "rehearse").detail().contains("rollback proven"));
    // The approver sees the plan where the run waits: the UI's current details and status.
    assertTrue(waiting.current().contains("runbook approve migrate-app-2"), waiting.current());
    assertTrue(waiting.current().contains("pending: V3"), waiting.current());
    assertTrue(
        waiting.current().contains("a verified backup of app is taken first"), waiting.current());
    assertTrue(step(waiting, "validate").detail().contains("pending: V3"));
    assertTrue(
        second.referencedBackups().contains(toTwo.backupId()),
        second.referencedBackups().toString());
    assertEquals(List.of("1:true", "2:true"), h.history(), "nothing applied before approval");

    second.approve(new Approval("bob", "rehearsal looks right"));
    MigrationResult latest = WorkflowStub.fromTyped(second).getResult(MigrationResult.class);
    assertEquals(List.of("3"), versions(latest));
    assertEquals(List.of("V1", "V2"), latest.rehearsal().caughtUp());
    assertEquals("2", latest.fromVersion());
    assertEquals("3", latest.toVersion());
    assertEquals(List.of("1:true", "2:true", "3:true"), h.history());
    assertEquals(List.of(toTwo.backupId(), latest.backupId()), second.referencedBackups());
    RunbookProgress approved = second.progress();
    assertTrue(step(approved, "approve").detail().contains("approved by bob"));
    assertTrue(step(approved, "verify").detail().contains("1 verify script true"));
    assertEquals(List.of(), h.databases("rehearse_"));
    // The admin password was resolved inside activities only: no run's history has it.
    for (String id : List.of("migrate-app-1", "migrate-app-2")) {
      SecretScan.assertNoSecrets(h.client, id, List.of(PASSWORD));
    }
  }

  /** Production data the rehearsal's schema-only copy does not have: a bad email, twice. */
  private void legacySignups() throws Exception {
    h.cluster.execute(
        h.database,
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.signups (email text)",
        "INSERT INTO legacy.signups VALUES ('not-an-email'), ('not-an-email')");
  }

  private SchemaDumps.Schema assertRolledBackTo(SchemaDumps.Schema before) throws Exception {
    SchemaDumps.Schema after = h.schema();
    assertEquals(List.of(), SchemaDumps.differences(before, after));
    assertEquals(before.sha256(), after.sha256());
    assertEquals(List.of(), h.history(), "the schema history keeps no row of a rolled-back run");
    assertEquals(0, h.scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
    assertEquals(List.of(), h.databases("rehearse_"));
    return after;
  }

  @Test
  void failingV3AfterV1AndV2RollsBothBackToTheOriginalSchema() throws Exception {
    harness(false, false);
    threeMigrations();
    legacySignups();
    // Passes on the rehearsal's schema-only copy (no rows), fails on the target's data.
    h.write(
        "V3__add_accounts_name.sql",
        "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN name text;\n"
            + "ALTER TABLE legacy.signups ADD CONSTRAINT signups_email_check"
            + " CHECK (email LIKE '%@%');\n");
    h.write(
        "U3__add_accounts_name.sql",
        "ALTER TABLE legacy.signups DROP CONSTRAINT signups_email_check;\n"
            + "ALTER TABLE accounts DROP COLUMN name;\n");
    SchemaDumps.Schema before = h.schema();

    MigrationWorkflow run = h.stub("migrate-app-v3");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    ApplicationFailure cause = failure(failed);
    assertEquals("MIGRATION_FAILED", cause.getType());
    assertTrue(
        cause.getOriginalMessage().contains("V3 (V3__add_accounts_name.sql) failed"),
        cause.getOriginalMessage());
    assertTrue(
        cause.getOriginalMessage().contains("signups_email_check"), cause.getOriginalMessage());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.ROLLED_BACK, progress.outcome());
    assertEquals(StepState.COMPENSATED, step(progress, "apply").state());
    assertTrue(
        progress
            .outcomeDetail()
            .endsWith(
                "rolled back 1 step: applied then undid V2, V1 (newest first), none of V1, V2, V3"
                    + " is left applied; the schema equals the one before"),
        progress.outcomeDetail());
    assertEquals(
        new MigrationVersions(List.of("1", "2"), List.of("2", "1"), List.of("1", "2", "3"), true),
        run.versions());
    assertRolledBackTo(before);
    assertEquals(2, h.scalar("SELECT count(*) FROM legacy.signups"), "data is untouched");
    // The pre-migration backup was taken and stays referenced.
    assertEquals(1, run.referencedBackups().size());
  }

  @Test
  void aFirstVersionThatFailsChangedNothingSoTheRunIsFailedNotRolledBack() throws Exception {
    harness(false, false);
    legacySignups();
    // Passes on the rehearsal's schema-only copy (no rows), fails on the target's data.
    h.write(
        "V1__check_signups.sql",
        "ALTER TABLE legacy.signups ADD CONSTRAINT signups_email_check CHECK (email LIKE '%@%');\n");
    h.write(
        "U1__check_signups.sql",
        "ALTER TABLE legacy.signups DROP CONSTRAINT signups_email_check;\n");
    SchemaDumps.Schema before = h.schema();

    MigrationWorkflow run = h.stub("migrate-app-first");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    assertEquals("MIGRATION_FAILED", failure(failed).getType());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.FAILED, progress.outcome(), progress.outcomeDetail());
    assertEquals(StepState.FAILED, step(progress, "apply").state());
    assertTrue(
        progress
            .outcomeDetail()
            .endsWith("; cleaned up: nothing of V1 was applied; the schema equals the one before"),
        progress.outcomeDetail());
    assertEquals(new MigrationVersions(List.of(), List.of(), List.of("1"), true), run.versions());
    assertRolledBackTo(before);
  }

  @Test
  void failedConcurrentIndexLeavesNoInvalidIndexAndRollsBack() throws Exception {
    harness(false, false);
    threeMigrations();
    legacySignups();
    h.write(
        "V2__index_accounts_email.sql",
        "SET lock_timeout = '5s';\n"
            + "CREATE UNIQUE INDEX CONCURRENTLY signups_email_idx ON legacy.signups (email);\n");
    h.write("U2__index_accounts_email.sql", "DROP INDEX CONCURRENTLY legacy.signups_email_idx;\n");
    SchemaDumps.Schema before = h.schema();

    MigrationWorkflow run = h.stub("migrate-app-cic");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", "2", true)));

    String message = failure(failed).getOriginalMessage();
    assertTrue(message.contains("could not create unique index"), message);
    assertTrue(
        message.contains("dropped the INVALID indexes it left: legacy.signups_email_idx"), message);
    assertEquals(Outcome.ROLLED_BACK, run.progress().outcome());
    assertRolledBackTo(before);
  }

  @Test
  void downScriptThatDoesNotUndoItsUpFailsTheRehearsalWithTheDifference() throws Exception {
    harness(false, false);
    threeMigrations();
    h.write(
        "V3__add_accounts_name.sql",
        "SET lock_timeout = '5s';\nCREATE TABLE audit_log (id bigint, entry text);\n");
    h.write("U3__add_accounts_name.sql", "SELECT 1;\n");
    h.cluster.execute(h.database, "CREATE SCHEMA other", "CREATE TABLE other.keep_me (id int)");
    SchemaDumps.Schema before = h.schema();

    MigrationWorkflow run = h.stub("migrate-app-down");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    ApplicationFailure cause = failure(failed);
    assertEquals("MIGRATION_FAILED", cause.getType());
    assertTrue(
        cause.getOriginalMessage().contains("extra: CREATE TABLE public.audit_log ("),
        cause.getOriginalMessage());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.FAILED, progress.outcome());
    assertEquals(StepState.FAILED, step(progress, "rehearse").state());
    assertEquals(StepState.PENDING, step(progress, "backup").state());
    assertEquals(StepState.PENDING, step(progress, "apply").state());
    assertEquals(List.of(), SchemaDumps.differences(before, h.schema()), "production untouched");
    assertEquals(List.of(), h.history());
    assertEquals(List.of(), h.databases("rehearse_"));
  }

  @Test
  void editedAppliedMigrationIsAChecksumMismatchNamingFileAndVersion() throws Exception {
    harness(false, false);
    threeMigrations();
    h.stub("migrate-app-c1").run(h.request("alice", "1", true));
    h.write(
        "V1__create_accounts.sql",
        "SET lock_timeout = '5s';\nCREATE TABLE accounts (id bigint PRIMARY KEY, email text, x int);\n");

    MigrationWorkflow run = h.stub("migrate-app-c2");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    ApplicationFailure cause = failure(failed);
    assertEquals("CHECKSUM_MISMATCH", cause.getType());
    assertTrue(
        cause.getOriginalMessage().contains("V1 (V1__create_accounts.sql)"),
        cause.getOriginalMessage());
    assertEquals(List.of("1:true"), h.history());
    assertEquals(StepState.FAILED, step(run.progress(), "validate").state());
  }

  @Test
  void pendingMigrationWithoutDownScriptOrMarkerIsRefused() throws Exception {
    harness(false, false);
    threeMigrations();
    Files.delete(h.migrations.resolve("U2__index_accounts_email.sql"));

    MigrationWorkflow run = h.stub("migrate-app-nodown");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    ApplicationFailure cause = failure(failed);
    assertEquals("BAD_INPUT", cause.getType());
    assertTrue(
        cause
            .getOriginalMessage()
            .contains("V2__index_accounts_email.sql (expected U2__index_accounts_email.sql)"),
        cause.getOriginalMessage());
    assertEquals(List.of(), h.history());
  }

  @Test
  void abortWhileWaitingForApprovalChangesNothing() throws Exception {
    harness(true, false);
    threeMigrations();
    SchemaDumps.Schema before = h.schema();
    MigrationWorkflow run = h.stub("migrate-app-abort");
    WorkflowClient.start(run::run, h.request("alice", null, false));
    awaitGate(run);

    WorkflowStub.fromTyped(run).cancel("window closed");

    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(MigrationResult.class));
    assertInstanceOf(CanceledFailure.class, failed.getCause());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.ABORTED, progress.outcome());
    assertEquals(StepState.PENDING, step(progress, "backup").state());
    assertEquals(List.of(), SchemaDumps.differences(before, h.schema()));
    assertEquals(List.of(), h.history());
  }

  @Test
  void approvalTimeoutAbortsTheRun() throws Exception {
    harness(true, false);
    threeMigrations();
    MigrationWorkflow run = h.stub("migrate-app-timeout");
    WorkflowClient.start(run::run, h.request("alice", null, false));
    awaitGate(run);

    // Time skipping: the one-hour gate passes as soon as the test waits for the result.
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(MigrationResult.class));
    assertEquals("APPROVAL_TIMEOUT", failure(failed).getType());
    assertEquals(Outcome.ABORTED, run.progress().outcome());
    assertEquals(List.of(), h.history());
  }

  @Test
  void productionRefusesAutoApproveAndFourEyesRefusesSelfApproval() throws Exception {
    harness(true, true);
    threeMigrations();
    WorkflowFailedException refused =
        assertThrows(
            WorkflowFailedException.class,
            () -> h.stub("migrate-app-auto").run(h.request("alice", null, true, true)));
    assertEquals("BAD_INPUT", failure(refused).getType());
    assertTrue(failure(refused).getOriginalMessage().contains("--auto-approve"));
    assertEquals(List.of(), h.history());

    MigrationWorkflow run = h.stub("migrate-app-4eyes");
    WorkflowClient.start(run::run, h.request("alice", null, false, true));
    awaitGate(run);
    WorkflowUpdateException self =
        assertThrows(
            WorkflowUpdateException.class, () -> run.approve(new Approval("alice", "mine")));
    assertTrue(
        failureOf(self).getOriginalMessage().contains("four-eyes"), self.getCause().getMessage());
    assertEquals("approve", run.progress().awaitingApproval(), "still waiting");

    run.approve(new Approval("bob", ""));
    MigrationResult result = WorkflowStub.fromTyped(run).getResult(MigrationResult.class);
    assertEquals(List.of("1", "2", "3"), versions(result));
    assertEquals(List.of("1:true", "2:true", "3:true"), h.history());
  }

  @Test
  void realisticShopMigrationsRehearseApplyAndRollBackCleanly() throws Exception {
    harness(false, false);
    Path shop = Path.of("../runbooks/examples/migrations/orders");
    try (var files = Files.walk(shop)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        h.write(shop.relativize(f).toString(), Files.readString(f));
      }
    }
    // A verification that fails after all thirteen are applied: every one must be undone.
    h.write("verify/V13__validate_orders_total.sql", "SELECT false;\n");
    SchemaDumps.Schema before = h.schema();

    MigrationWorkflow run = h.stub("migrate-app-shop");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    assertTrue(
        failure(failed)
            .getOriginalMessage()
            .contains("V13__validate_orders_total.sql returned false"),
        failure(failed).getOriginalMessage());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.ROLLED_BACK, progress.outcome());
    String validate = step(progress, "validate").detail();
    assertTrue(validate.contains("pending: V1, V2, V3"), validate);
    assertTrue(validate.contains("V13"), validate);
    // Every table is created by the set itself, so nothing locks a table in use.
    assertTrue(validate.endsWith("0 lint warnings"), validate);
    String rehearse = step(progress, "rehearse").detail();
    assertTrue(rehearse.contains("rollback proven"), rehearse);
    assertEquals(StepState.COMPENSATED, step(progress, "apply").state());
    assertRolledBackTo(before);
  }

  @Test
  void rollbackBlockedByAnIrreversibleMigrationStopsWithAStateReportAndTheBackup()
      throws Exception {
    harness(false, false);
    threeMigrations();
    legacySignups();
    h.write(
        "V2__index_accounts_email.sql",
        "-- runbooks: irreversible: stands in for a migration that drops data\n"
            + "SET lock_timeout = '5s';\nALTER TABLE accounts ADD COLUMN legacy_id int;\n");
    Files.delete(h.migrations.resolve("U2__index_accounts_email.sql"));
    h.write(
        "V3__add_accounts_name.sql",
        "SET lock_timeout = '5s';\nALTER TABLE legacy.signups ADD CONSTRAINT signups_email_check"
            + " CHECK (email LIKE '%@%');\n");
    h.write(
        "U3__add_accounts_name.sql",
        "ALTER TABLE legacy.signups DROP CONSTRAINT signups_email_check;\n");

    MigrationWorkflow run = h.stub("migrate-app-irreversible");
    WorkflowFailedException failed =
        assertThrows(WorkflowFailedException.class, () -> run.run(h.request("alice", null, true)));

    ApplicationFailure cause = failure(failed);
    assertEquals("ROLLBACK_FAILED", cause.getType());
    String message = cause.getOriginalMessage();
    assertTrue(message.contains("V2 has no down script (irreversible)"), message);
    assertTrue(message.contains("applied now: V1, V2; not applied: V3"), message);
    String backupId = run.referencedBackups().get(0);
    assertTrue(message.contains("restore the pre-migration backup " + backupId), message);
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.FAILED, progress.outcome());
    assertTrue(step(progress, "validate").detail().contains("V2 (irreversible)"));
    assertTrue(step(progress, "rehearse").detail().contains("rollback NOT proven"));
    // It stopped at once: nothing undone past the irreversible version, nothing retried.
    assertEquals(List.of("1:true", "2:true"), h.history());
  }

  /**
   * Starts {@code run} (auto-approved) while an application transaction reads accounts, so that
   * V3's ALTER TABLE waits for it; returns once the apply runs, with that transaction still open.
   */
  private Connection applyWhileAccountsIsRead(MigrationWorkflow run, Duration lockTimeout)
      throws Exception {
    Connection app = h.cluster.connect(h.database);
    app.setAutoCommit(false);
    app.createStatement().execute("LOCK TABLE accounts IN ACCESS SHARE MODE");
    WorkflowClient.start(
        run::run,
        new MigrationRequest(
            new RunbookRequest(MigrationHarness.TARGET, "alice", false, Duration.ofHours(1)),
            null,
            true,
            lockTimeout,
            Duration.ofMinutes(5)));
    awaitProgress(run, p -> step(p, "apply").state() == StepState.RUNNING);
    return app;
  }

  @Test
  void aLockHeldByTheApplicationIsWaitedForAndMeasured() throws Exception {
    harness(false, false);
    threeMigrations();
    h.stub("migrate-app-l1").run(h.request("alice", "2", true));
    MigrationWorkflow run = h.stub("migrate-app-l2");
    try (Connection app = applyWhileAccountsIsRead(run, Duration.ofSeconds(30))) {
      Thread.sleep(3_000);
      app.commit();
    }
    MigrationResult result = WorkflowStub.fromTyped(run).getResult(MigrationResult.class);
    VersionTiming v3 = result.applied().get(0);
    assertEquals("3", v3.version());
    assertFalse(v3.lockWait().isZero(), result.applied().toString());
    assertTrue(step(run.progress(), "apply").detail().contains("lock wait"));
  }

  @Test
  void abortDuringApplyStopsTheRunningMigrationAndRollsBack() throws Exception {
    harness(false, false);
    threeMigrations();
    h.stub("migrate-app-a1").run(h.request("alice", "1", true));
    SchemaDumps.Schema before = h.schema();
    MigrationWorkflow run = h.stub("migrate-app-a2");
    try (Connection app = applyWhileAccountsIsRead(run, Duration.ofMinutes(2))) {
      Thread.sleep(1_500);
      WorkflowStub.fromTyped(run).cancel("window closed");
      // The application's transaction ends soon after, as they do: whether V3 was cancelled or
      // got its lock, the rollback must start only once the apply has stopped.
      Thread.sleep(1_000);
      app.rollback();
    }
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> WorkflowStub.fromTyped(run).getResult(MigrationResult.class));
    assertInstanceOf(CanceledFailure.class, failed.getCause());
    RunbookProgress progress = run.progress();
    assertEquals(Outcome.ABORTED, progress.outcome(), progress.outcomeDetail());
    assertEquals(StepState.COMPENSATED, step(progress, "apply").state());
    assertEquals(List.of(), SchemaDumps.differences(before, h.schema()));
    assertEquals(List.of("1:true"), h.history());
    assertEquals(0, h.scalar("SELECT count(*) FROM pg_index WHERE NOT indisvalid"));
  }
}
