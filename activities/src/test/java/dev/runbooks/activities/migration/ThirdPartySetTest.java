package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.migration.MigrationResult;
import dev.runbooks.workflows.migration.PendingMigration;
import dev.runbooks.workflows.migration.VersionTiming;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A third party's migration set as it comes (no down scripts, leading block comments, versions like
 * 1_10) runs unchanged with its versions declared irreversible in the configuration, and leaves the
 * same schema history checksums as plain Flyway.
 */
class ThirdPartySetTest {
  private static final String PASSWORD = "vendor-Secr3t-" + Long.toHexString(System.nanoTime());

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

  private MigrationHarness harness(Path migrations, String database, String irreversible)
      throws Exception {
    h =
        new MigrationHarness(
            pg.primary(), PASSWORD, database, dir, migrations, false, false, irreversible);
    return h;
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
