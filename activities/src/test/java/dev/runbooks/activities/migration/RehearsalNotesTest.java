package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.MigrationWorkflow;
import dev.runbooks.workflows.shared.RunbookProgress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approver is told when the rehearsal's timings say little about the target: a copy holding far
 * fewer rows (pg_class.reltuples), and a copy from a backup that is not recent.
 */
class RehearsalNotesTest {
  private static final String PASSWORD = "notes-Secr3t-" + Long.toHexString(System.nanoTime());

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

  @Test
  void anEmptyCopyOrAnOldBackupMarksTheTimingsNotRepresentative() throws Exception {
    h =
        new MigrationHarness(
            pg.primary(),
            PASSWORD,
            "notes",
            dir,
            Files.createDirectories(dir.resolve("migrations")),
            false,
            false);
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
}
