package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.RestoreRequest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * backup, restore-drill, restore and backups against the embedded Temporal with stand-in workflows:
 * what the CLI sends, what it prints, and how it exits.
 */
class BackupCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern STARTED = Pattern.compile("Started (\\S+) on ");

  @TempDir static Path dir;

  private static FakeBackupRuns runs;

  @BeforeAll
  static void start() {
    runs = new FakeBackupRuns(dir);
  }

  @AfterAll
  static void stop() {
    runs.close();
  }

  private static String startedId(Cli.Result result) {
    Matcher m = STARTED.matcher(result.out() + result.err());
    assertTrue(m.find(), result.toString());
    return m.group(1);
  }

  /** The last request of this type the stand-in workflows received for this target. */
  private static <T> T lastRequest(Class<T> type, String target) {
    for (int i = FakeBackupWorkflows.requests.size() - 1; i >= 0; i--) {
      Object request = FakeBackupWorkflows.requests.get(i);
      if (type.isInstance(request) && request.toString().contains("target=" + target + ",")) {
        return type.cast(request);
      }
    }
    throw new AssertionError("no " + type.getSimpleName() + " for " + target);
  }

  @Test
  void backupWaitsAndPrintsTheBackupItsDrillAndWhatWasPruned() throws Exception {
    Cli.Result backup = runs.cli().run("backup", "--target", "orders", "--wait");
    assertEquals(0, backup.code(), backup.toString());
    String id = startedId(backup);
    assertTrue(id.matches("backup-orders-\\d{8}T\\d{6}"), id);
    assertTrue(
        backup.out().contains("Backup " + FakeBackupWorkflows.BACKUP_ID + " of orders"),
        backup.toString());
    assertTrue(backup.out().contains("2.0 MB dump, 2.0 MB encrypted"), backup.toString());
    assertTrue(backup.out().contains("12 tables, 5,000 rows"), backup.toString());
    assertTrue(backup.out().contains("drill       passed, restored in 3.2s"), backup.toString());
    assertTrue(backup.out().contains("pruned      20260101T020000Z-0000"), backup.toString());
    assertTrue(backup.out().contains(id + ": SUCCEEDED (exit 0)"), backup.toString());

    BackupRequest request = lastRequest(BackupRequest.class, "orders");
    assertTrue(request.verify());
    assertEquals("tester", request.runbook().initiator());
    assertNull(request.retention());

    Cli.Result status = runs.cli().run("status", id, "--output", "json");
    JsonNode json = JSON.readTree(status.out());
    assertEquals("backup", json.path("kind").asText());
    assertEquals(
        "backup orders -> file:///var/lib/runbooks/backups", json.path("summary").asText());
  }

  @Test
  void noVerifySkipsTheDrillAndJsonCarriesTheResult() throws Exception {
    Cli.Result backup =
        runs.cli()
            .run(
                "backup",
                "--target",
                "orders",
                "--no-verify",
                "--wait",
                "--output",
                "json",
                "--id",
                "backup-orders-json");
    assertEquals(0, backup.code(), backup.toString());
    JsonNode json = JSON.readTree(backup.out());
    assertEquals("backup-orders-json", json.path("workflowId").asText());
    assertEquals("SUCCEEDED", json.path("outcome").asText());
    assertEquals(0, json.path("exitCode").asInt());
    assertEquals(FakeBackupWorkflows.BACKUP_ID, json.path("backup").path("backupId").asText());
    assertEquals(2_097_200, json.path("backup").path("ciphertextBytes").asLong());
    assertTrue(json.path("drill").isNull(), json.toString());
    assertEquals("20260101T020000Z-0000", json.path("pruned").get(0).asText());
    assertEquals("verify", json.path("steps").get(2).path("name").asText());
    assertEquals("SKIPPED", json.path("steps").get(2).path("state").asText());
    assertTrue(backup.err().contains("Started backup-orders-json"), backup.toString());
    assertFalse(lastRequest(BackupRequest.class, "orders").verify());
  }

  @Test
  void withoutWaitItPrintsTheWorkflowIdOnly() {
    Cli.Result started = runs.cli().run("backup", "--target", "orders", "--id", "bk-by-hand");
    assertEquals(0, started.code(), started.toString());
    assertEquals("bk-by-hand\n", started.out());
    assertTrue(started.err().contains("runbook watch bk-by-hand"), started.toString());
    Cli.Result watched = runs.cli().run("watch", "bk-by-hand");
    assertEquals(0, watched.code(), watched.toString());
    assertTrue(watched.out().contains("[DONE]        retention"), watched.toString());
  }

  @Test
  void aFailedBackupExitsOneAndSaysWhy() {
    Cli.Result backup = runs.cli().run("backup", "--target", "broken", "--wait");
    assertEquals(1, backup.code(), backup.toString());
    String id = startedId(backup);
    assertTrue(backup.out().contains(id + ": FAILED (exit 1)"), backup.toString());
    assertTrue(backup.out().contains("no such database broken"), backup.toString());
    assertFalse(backup.out().contains("Backup " + FakeBackupWorkflows.BACKUP_ID), backup.out());
  }

  @Test
  void aBackupWhoseDrillFailedExitsOne() {
    Cli.Result backup = runs.cli().run("backup", "--target", "baddrill", "--wait");
    assertEquals(1, backup.code(), backup.toString());
    assertTrue(backup.out().contains("drill       FAILED"), backup.toString());
    assertTrue(backup.out().contains("4999 restored"), backup.toString());
  }

  @Test
  void restoreDrillPassesTheBackupAndReportsTheVerdict() throws Exception {
    Cli.Result drill =
        runs.cli()
            .run(
                "restore-drill",
                "--target",
                "orders",
                "--backup",
                "20260123T020000Z-0005",
                "--wait");
    assertEquals(0, drill.code(), drill.toString());
    assertTrue(startedId(drill).matches("restore-drill-orders-\\d{8}T\\d{6}"), drill.toString());
    assertTrue(
        drill.out().contains("Drill of backup 20260123T020000Z-0005: passed, restored in 3.2s"),
        drill.toString());
    assertEquals("20260123T020000Z-0005", lastRequest(DrillRequest.class, "orders").backupId());

    Cli.Result newest = runs.cli().run("restore-drill", "--target", "orders", "--wait");
    assertEquals(0, newest.code(), newest.toString());
    assertNull(lastRequest(DrillRequest.class, "orders").backupId());

    Cli.Result failed =
        runs.cli().run("restore-drill", "--target", "baddrill", "--wait", "--output", "json");
    assertEquals(1, failed.code(), failed.toString());
    JsonNode json = JSON.readTree(failed.out());
    assertFalse(json.path("drill").path("passed").asBoolean(true), json.toString());
    assertEquals(1, json.path("exitCode").asInt());
    assertEquals(
        "public.orders: 5000 rows in the manifest, 4999 restored",
        json.path("drill").path("differences").get(0).asText());
  }

  @Test
  void restoreRefusesDatabaseNamesThatAreNotPlainIdentifiers() {
    for (String bad : new String[] {"Orders", "orders-restored", "1orders", "a;drop", ""}) {
      Cli.Result result =
          runs.cli().run("restore", "--target", "orders", "--backup", "x", "--into", bad);
      assertEquals(2, result.code(), bad + ": " + result);
      assertTrue(result.err().contains("lower-case letters"), result.toString());
      assertTrue(result.err().contains("orders_restored"), result.toString());
    }
    Cli.Result tooLong =
        runs.cli().run("restore", "--target", "orders", "--backup", "x", "--into", "a".repeat(64));
    assertEquals(2, tooLong.code(), tooLong.toString());

    for (String reserved : new String[] {"postgres", "template1"}) {
      Cli.Result result =
          runs.cli().run("restore", "--target", "orders", "--backup", "x", "--into", reserved);
      assertEquals(2, result.code(), result.toString());
      assertTrue(result.err().contains("PostgreSQL itself relies on"), result.toString());
    }

    Cli.Result own =
        runs.cli().run("restore", "--target", "orders", "--backup", "x", "--into", "orders");
    assertEquals(2, own.code(), own.toString());
    assertTrue(own.err().contains("never overwrites"), own.toString());
  }

  @Test
  void restoreIntoANewDatabaseSaysWhereTheDataIs() {
    Cli.Result restore =
        runs.cli()
            .run(
                "restore",
                "--target",
                "orders",
                "--backup",
                "20260124T020000Z-0004",
                "--into",
                "orders_restored",
                "--wait");
    assertEquals(0, restore.code(), restore.toString());
    assertTrue(
        restore
            .out()
            .contains(
                "Restored backup 20260124T020000Z-0004 into database orders_restored on"
                    + " 127.0.0.1:5432"),
        restore.toString());
    RestoreRequest request = lastRequest(RestoreRequest.class, "orders");
    assertEquals("orders_restored", request.database());
    assertEquals("20260124T020000Z-0004", request.backupId());
  }

  @Test
  void backupsListsTheBackupsWithTheirVerdictsAndExitsZeroWhenFresh() throws Exception {
    Cli.Result list = runs.cli().run("backups", "--target", "orders");
    assertEquals(0, list.code(), list.toString());
    String out = list.out();
    assertTrue(out.contains("Backups of orders in file:///backups/orders"), out);
    assertTrue(out.lines().anyMatch(l -> l.matches("\\s+ID\\s+AGE\\s+SIZE\\s+COMPLETE.*")), out);
    assertTrue(
        out.lines()
            .anyMatch(
                l ->
                    l.contains("20260124T020000Z-0004")
                        && l.contains("1h00m")
                        && l.contains("yes")
                        && l.contains("passed")
                        && l.contains("3.2s")),
        out);
    assertTrue(
        out.lines().anyMatch(l -> l.contains("20260124T030000Z-0003") && l.contains("NO")), out);
    assertTrue(
        out.lines().anyMatch(l -> l.contains("20260123T020000Z-0005") && l.contains("FAILED")),
        out);
    assertTrue(out.contains("Newest verified backup: 20260124T020000Z-0004"), out);

    Cli.Result json = runs.cli().run("backups", "--target", "orders", "--output", "json");
    assertEquals(0, json.code(), json.toString());
    JsonNode catalog = JSON.readTree(json.out());
    assertTrue(catalog.path("fresh").asBoolean());
    assertEquals("20260124T020000Z-0004", catalog.path("newestVerified").asText());
    assertEquals("PT26H", catalog.path("freshnessLimit").asText());
    assertEquals(3, catalog.path("backups").size());
  }

  @Test
  void backupsExitsOneWhenTheNewestVerifiedBackupIsTooOldOrThereIsNone() throws Exception {
    Cli.Result stale = runs.cli().run("backups", "--target", "stale");
    assertEquals(1, stale.code(), stale.toString());
    assertTrue(stale.out().contains("STALE: the newest verified backup of stale"), stale.out());
    assertTrue(stale.out().contains("3d00h old, over the freshness limit of"), stale.out());

    Cli.Result never = runs.cli().run("backups", "--target", "never", "--output", "json");
    assertEquals(1, never.code(), never.toString());
    assertFalse(JSON.readTree(never.out()).path("fresh").asBoolean(true));
    assertTrue(never.err().contains("has passed a restore drill"), never.toString());

    Cli.Result empty = runs.cli().run("backups", "--target", "nolimit");
    assertEquals(0, empty.code(), empty.toString());
    assertTrue(empty.out().contains("none. Take one with: runbook backup"), empty.out());
  }

  @Test
  void withoutARepositoryTheBackupCommandsSayWhatToConfigure() throws IOException {
    Path config =
        Files.writeString(
            dir.resolve("no-repository.yaml"),
            "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n");
    for (String[] args :
        new String[][] {
          {"backup", "--target", "orders"},
          {"restore-drill", "--target", "orders"},
          {"restore", "--target", "orders", "--backup", "x", "--into", "y"},
        }) {
      Cli.Result result = runs.cli().with("RUNBOOKS_CONFIG", config.toString()).run(args);
      assertEquals(2, result.code(), result.toString());
      assertTrue(result.err().contains("no backup repository is configured"), result.toString());
      assertTrue(result.err().contains("repository: file:///"), result.toString());
    }
  }

  @Test
  void aListingNoWorkerAnswersSaysToStartOne() {
    try (EmbeddedTemporal idle = EmbeddedTemporal.start(0);
        TemporalConnection connection = idle.connect()) {
      UsageException e =
          assertThrows(
              UsageException.class,
              () ->
                  BackupRuns.catalog(
                      connection.client(),
                      "nobody-polls",
                      "orders",
                      "backups-orders-idle",
                      Duration.ofSeconds(2)));
      assertTrue(e.getMessage().contains("no worker read the backup listing"), e.getMessage());
      assertTrue(e.getMessage().contains("task queue nobody-polls"), e.getMessage());
    }
  }
}
