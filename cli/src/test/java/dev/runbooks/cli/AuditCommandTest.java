package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runbook audit}: who started, approved and aborted runs, from the histories. */
class AuditCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static GatedRuns runs;

  @BeforeAll
  static void startTemporal() {
    runs = new GatedRuns();
  }

  @AfterAll
  static void stopTemporal() {
    runs.close();
  }

  private static void awaitApprovalGate(String id) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      Cli.Result status = runs.cli().run("status", id, "--output", "json");
      if (status.code() == 0
          && "approval".equals(JSON.readTree(status.out()).path("awaitingApproval").asText())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + id + " never reached its approval gate");
  }

  @Test
  void listsWhoStartedApprovedAndAbortedEachRunAndHowItEnded() throws Exception {
    // Both runs start "in the same second": the second one's ID gets the -2 suffix, and the trail
    // must still know both as audit-db's runs (the in-memory service lists no search attributes).
    Clock sameSecond = Clock.fixed(Instant.now(), ZoneOffset.UTC);
    String approved = runs.start("audit-db", "alice", true, null, sameSecond);
    awaitApprovalGate(approved);
    Cli.Result approve = runs.cli().with("RUNBOOK_USER", "bob").run("approve", approved);
    assertEquals(0, approve.code(), approve.toString());
    assertEquals(0, runs.cli().run("watch", approved).code());
    String aborted = runs.start("audit-db", "alice", false, null, sameSecond);
    assertEquals(approved + "-2", aborted);
    awaitApprovalGate(aborted);
    Cli.Result abort =
        runs.cli()
            .with("RUNBOOK_USER", "carol")
            .run("abort", aborted, "--reason", "wrong window", "--wait");
    assertEquals(3, abort.code(), abort.toString());
    String elsewhere = runs.start("other-db", "alice", false, null);

    // The service's run listing catches up with a closed run a moment after it closes: read the
    // trail until it lists the aborted run's end (bounded), then check every line of it.
    Cli.Result audit = runs.cli().run("audit", "--target", "audit-db", "--since", "1h");
    for (int i = 0; i < 150 && !has(audit.out().lines().toList(), aborted, "ABORTED"); i++) {
      Thread.sleep(200);
      audit = runs.cli().run("audit", "--target", "audit-db", "--since", "1h");
    }

    assertEquals(0, audit.code(), audit.toString());
    List<String> lines = audit.out().lines().toList();
    assertTrue(has(lines, approved, "approved  by bob"), audit.toString());
    assertTrue(has(lines, approved, "ended  by -: SUCCEEDED"), audit.toString());
    assertTrue(
        has(lines, aborted, "abort requested  by carol: aborted by carol: wrong window"),
        audit.toString());
    assertTrue(has(lines, aborted, "ended  by -: ABORTED"), audit.toString());
    assertTrue(has(lines, approved, "started  by "), audit.toString());
    assertFalse(audit.out().contains(elsewhere), audit.toString());
    for (String line : lines) {
      assertFalse(line.contains("by  ") || line.endsWith("by "), line);
    }

    Cli.Result json = runs.cli().run("audit", "--target", "audit-db", "-o", "json");
    assertEquals(0, json.code(), json.toString());
    Schemas.assertValid("audit", json);
    List<String> actions = new ArrayList<>();
    for (JsonNode event : JSON.readTree(json.out())) {
      if (event.path("workflowId").asText().equals(aborted)) {
        actions.add(event.path("action").asText() + " " + event.path("by").asText());
      }
    }
    assertEquals("abort requested carol", actions.get(actions.size() - 2), actions.toString());
    assertTrue(actions.get(0).startsWith("started "), actions.toString());
    runs.cli().run("abort", elsewhere, "--wait");
  }

  @Test
  void saysWhatEachEndedRunChanged(@TempDir Path dir) throws Exception {
    try (FakeBackupRuns backups = new FakeBackupRuns(dir)) {
      Cli.Result backup = backups.cli().run("backup", "--target", "orders", "--wait");
      assertEquals(0, backup.code(), backup.toString());

      Cli.Result audit = backups.cli().run("audit", "--target", "orders");
      for (int i = 0; i < 150 && !audit.out().contains("ended"); i++) {
        Thread.sleep(200);
        audit = backups.cli().run("audit", "--target", "orders");
      }
      assertEquals(0, audit.code(), audit.toString());
      assertTrue(
          audit
              .out()
              .contains(
                  "ended  by -: SUCCEEDED (changed: backup " + FakeBackupWorkflows.BACKUP_ID + ")"),
          audit.toString());

      Cli.Result json = backups.cli().run("audit", "--target", "orders", "-o", "json");
      assertEquals(0, json.code(), json.toString());
      Schemas.assertValid("audit", json);
      List<String> changed = new ArrayList<>();
      for (JsonNode event : JSON.readTree(json.out())) {
        changed.add(event.path("action").asText() + ": " + event.path("changed").asText());
      }
      assertEquals(
          List.of("started: ", "ended: backup " + FakeBackupWorkflows.BACKUP_ID),
          changed,
          json.toString());
    }
  }

  @Test
  void aSinceThatIsNeitherADurationNorADateIsAUsageError() {
    Cli.Result bad = runs.cli().run("audit", "--since", "yesterday");
    assertEquals(2, bad.code(), bad.toString());
    assertTrue(bad.err().contains("7d"), bad.toString());
  }

  private static boolean has(List<String> lines, String id, String text) {
    return lines.stream().anyMatch(l -> l.contains(id) && l.contains(text));
  }
}
