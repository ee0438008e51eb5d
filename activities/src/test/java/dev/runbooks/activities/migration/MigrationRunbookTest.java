package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
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

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;
  private MigrationHarness h;

  private MigrationHarness harness(boolean production, boolean fourEyes) throws Exception {
    Path migrations = dir.resolve("migrations");
    Files.createDirectories(migrations);
    h =
        new MigrationHarness(
            pg.primary(),
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
  }
}
