package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationRequest;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.migration.PendingMigration;
import dev.runbooks.workflows.migration.VersionTiming;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration safety on a real cluster: a schema changed outside the migrations is refused with the
 * difference (and applied over only with a recorded reason); the approver is told when the
 * rehearsal's timings say little about the target; and a third party's set as it comes (no down
 * scripts, leading block comments, versions like 1_10) runs unchanged with its versions declared
 * irreversible in the configuration, keeping Flyway's checksums.
 */
class MigrationSafetyTest {
  private static final String PASSWORD = "safety-Secr3t-" + Long.toHexString(System.nanoTime());

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;
  private MigrationHarness h;

  @AfterEach
  void tearDown() {
    if (h != null) {
      h.close();
    }
  }

  private MigrationHarness harness(Path migrations, String database, String irreversible)
      throws Exception {
    h =
        new MigrationHarness(
            pg.primary(), PASSWORD, database, dir, migrations, false, false, irreversible);
    return h;
  }

  private static Step step(RunbookProgress progress, String name) {
    return progress.steps().stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void aDriftedSchemaIsRefusedWithTheDifferenceUnlessAcceptedWithAReason() throws Exception {
    harness(Files.createDirectories(dir.resolve("migrations")), "drift", null);
    h.write(
        "V1__create_accounts.sql", "CREATE TABLE accounts (id bigint PRIMARY KEY, email text);");
    h.write("U1__create_accounts.sql", "DROP TABLE accounts;");
    h.write("V2__create_orders.sql", "CREATE TABLE orders (id bigint PRIMARY KEY);");
    h.write("U2__create_orders.sql", "DROP TABLE orders;");
    MigrationWorkflow first = h.stub("migrate-drift-1");
    first.run(h.request("alice", "1", true));
    assertTrue(
        step(first.progress(), "backup").detail().contains("schema as the rehearsal's starting"),
        step(first.progress(), "backup").detail());

    // By hand, outside the migrations.
    h.cluster.execute(
        h.database,
        "CREATE INDEX accounts_email_by_hand ON accounts (email)",
        "ALTER TABLE accounts ADD COLUMN nickname text");

    MigrationWorkflow refused = h.stub("migrate-drift-2");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class, () -> refused.run(h.request("alice", null, true)));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    String message = cause.getOriginalMessage();
    assertEquals("BAD_INPUT", cause.getType(), message);
    assertTrue(message.contains("its schema drifted from the schema recorded"), message);
    assertTrue(message.contains("by run migrate-drift-1 (applied)"), message);
    assertTrue(message.contains("accounts_email_by_hand"), message);
    assertTrue(message.contains("nickname"), message);
    assertTrue(message.contains("--accept-drift REASON"), message);
    assertEquals(Outcome.FAILED, refused.progress().outcome());
    assertEquals(List.of("1:true"), h.history());

    MigrationRequest plain = h.request("alice", null, true);
    MigrationRequest accepted =
        new MigrationRequest(
            plain.runbook(),
            null,
            true,
            plain.lockTimeout(),
            plain.statementTimeout(),
            plain.lockRetries(),
            plain.lockBudget(),
            "index added by hand during incident 42");
    MigrationWorkflow third = h.stub("migrate-drift-3");
    third.run(accepted);
    String detail = step(third.progress(), "backup").detail();
    assertTrue(detail.contains("accepted (index added by hand during incident 42)"), detail);
    assertTrue(detail.contains("accounts_email_by_hand"), detail);
    assertEquals(List.of("1:true", "2:true"), h.history());
    assertEquals(
        List.of(
            "migrate-drift-1 applied",
            "migrate-drift-3 drift accepted: index added by hand during incident 42",
            "migrate-drift-3 applied"),
        records());
  }

  private List<String> records() throws Exception {
    List<String> rows = new java.util.ArrayList<>();
    try (Connection c = h.cluster.connect(h.database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT run || ' ' || note FROM runbooks_schema_history ORDER BY recorded_at")) {
      while (rs.next()) {
        rows.add(rs.getString(1));
      }
    }
    return rows;
  }

  @Test
  void anEmptyCopyOrAnOldBackupMarksTheTimingsNotRepresentative() throws Exception {
    harness(Files.createDirectories(dir.resolve("migrations")), "notes", null);
    h.cluster.execute(
        h.database,
        "CREATE SCHEMA legacy",
        "CREATE TABLE legacy.events AS SELECT g AS id FROM generate_series(1, 50000) g",
        "ANALYZE legacy.events");
    h.write("V1__create_a.sql", "CREATE TABLE a (id int);");
    h.write("U1__create_a.sql", "DROP TABLE a;");
    h.write("V2__create_b.sql", "CREATE TABLE b (id int);");
    h.write("U2__create_b.sql", "DROP TABLE b;");

    // No backup yet: the rehearsal runs on an empty schema-only copy.
    MigrationWorkflow first = h.stub("migrate-notes-1");
    MigrationResult one = first.run(h.request("alice", "1", true));
    List<String> notes = one.rehearsal().notes();
    assertEquals(2, notes.size(), notes.toString());
    assertTrue(
        notes.get(0).contains("the copy holds about 0 rows and app about 50,000"), notes.get(0));
    assertTrue(notes.get(0).contains("not representative"), notes.get(0));
    assertTrue(notes.get(1).startsWith("no verified backup of app to rehearse on"), notes.get(1));
    RunbookProgress progress = first.progress();
    String rehearse =
        progress.steps().stream()
            .filter(s -> s.name().equals("rehearse"))
            .findFirst()
            .orElseThrow()
            .detail();
    assertTrue(rehearse.contains("NOTE: the copy holds about 0 rows"), rehearse);

    // A day later, the first run's pre-migration backup has every row but is not recent.
    h.env.sleep(Duration.ofHours(25));
    MigrationResult two = h.stub("migrate-notes-2").run(h.request("alice", null, true));
    assertTrue(two.rehearsal().source().startsWith("backup "), two.rehearsal().source());
    List<String> later = two.rehearsal().notes();
    assertEquals(1, later.size(), later.toString());
    assertTrue(later.get(0).contains("no recent verified backup"), later.get(0));
  }

  private Path vendorSet() throws Exception {
    Path migrations = Files.createDirectories(dir.resolve("vendor"));
    Files.writeString(
        migrations.resolve("V1_1__create_items.sql"),
        "/*\n * Items, (c) the vendor. Licensed as is.\n */\n"
            + "CREATE TABLE items (id bigint PRIMARY KEY, name text);\n");
    Files.writeString(
        migrations.resolve("V1_2__seed_items.sql"),
        "/* seed */\nINSERT INTO items VALUES (1, 'one'), (2, 'two');\n");
    Files.writeString(
        migrations.resolve("V1_10__index_items_name.sql"),
        "/* a later release */\n-- by name\nCREATE INDEX items_name ON items (name);\n");
    return migrations;
  }

  @Test
  void runsUnchangedWithAnIrreversibleListAndKeepsFlywaysChecksums() throws Exception {
    Path migrations = vendorSet();
    harness(migrations, "vendor_runbook", "[\"1.1+\"]");

    MigrationResult result = h.stub("migrate-vendor").run(h.request("alice", null, true));

    assertEquals(
        List.of("1.1", "1.2", "1.10"),
        result.applied().stream().map(VersionTiming::version).toList());
    assertTrue(result.plan().pending().stream().allMatch(PendingMigration::irreversible));
    assertFalse(result.rehearsal().rollbackProven());
    pg.primary().execute("postgres", "CREATE DATABASE vendor_flyway");
    Flyway.configure()
        .dataSource(pg.primary().jdbcUrl("vendor_flyway"), pg.primary().superuser(), PASSWORD)
        .locations("filesystem:" + migrations)
        .load()
        .migrate();
    List<String> flyway = checksums("vendor_flyway");
    assertEquals(3, flyway.size(), flyway.toString());
    assertEquals(flyway, checksums("vendor_runbook"));
  }

  @Test
  void anIrreversibleVersionListedThatDoesNotExistIsBadInput() throws Exception {
    harness(vendorSet(), "vendor_typo", "[\"1.1\", \"1.3\"]");
    WorkflowFailedException failed =
        assertThrows(
            WorkflowFailedException.class,
            () -> h.stub("migrate-vendor-typo").run(h.request("alice", null, true)));
    ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failed.getCause());
    assertEquals("BAD_INPUT", cause.getType(), cause.getOriginalMessage());
    assertTrue(
        cause.getOriginalMessage().contains("lists \"1.3\", but there is no migration V1.3__*.sql"),
        cause.getOriginalMessage());
    assertEquals(List.of(), h.history());
  }

  private List<String> checksums(String database) throws Exception {
    List<String> rows = new ArrayList<>();
    try (Connection c = pg.primary().connect(database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT version, script, checksum, success FROM flyway_schema_history"
                    + " ORDER BY installed_rank")) {
      while (rs.next()) {
        rows.add(
            rs.getString(1) + " " + rs.getString(2) + " " + rs.getInt(3) + " " + rs.getBoolean(4));
      }
    }
    return rows;
  }
}
