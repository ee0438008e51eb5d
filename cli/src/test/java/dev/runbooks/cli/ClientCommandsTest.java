package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * status, watch, approve, abort and list against the embedded Temporal with a real worker, on the
 * contract's gated runbook: runs that wait for approval, hold the target lock and compensate.
 */
class ClientCommandsTest {
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

  private static JsonNode awaitApprovalGate(String id) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    Cli.Result last = null;
    while (Instant.now().isBefore(deadline)) {
      last = runs.cli().run("status", id, "--output", "json");
      if (last.code() == 0) {
        JsonNode status = JSON.readTree(last.out());
        if ("approval".equals(status.path("awaitingApproval").asText())) {
          return status;
        }
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + id + " never reached its approval gate; last: " + last);
  }

  @Test
  void statusShowsTheStepsAndTheGateAsValidJson() throws Exception {
    String id = runs.start("status-db", "alice", false, null);
    JsonNode status = awaitApprovalGate(id);

    assertEquals(id, status.path("workflowId").asText());
    assertEquals("migrate", status.path("kind").asText());
    assertEquals("status-db", status.path("target").asText());
    assertEquals("RUNNING", status.path("status").asText());
    assertEquals("alice", status.path("initiator").asText());
    List<String> steps = new ArrayList<>();
    status
        .path("steps")
        .forEach(s -> steps.add(s.path("name").asText() + "=" + s.path("state").asText()));
    assertEquals(List.of("lock=DONE", "prepare=DONE", "approval=RUNNING", "apply=PENDING"), steps);
    assertTrue(status.path("steps").get(0).path("start").asText().matches("\\d{4}-.*Z"));

    Cli.Result text = runs.cli().run("status", id);
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().contains("waiting for approval of approval"), text.toString());
    assertTrue(text.out().contains("runbook approve " + id), text.toString());
    assertTrue(text.out().contains("[DONE]        prepare"), text.toString());

    runs.cli().run("abort", id, "--wait");
  }

  @Test
  void approvalByAnotherEngineerLetsTheRunFinishAndWatchExitsZero() throws Exception {
    String id = runs.start("approve-db", "alice", true, null);
    awaitApprovalGate(id);

    Cli.Result approved =
        runs.cli().with("RUNBOOK_USER", "bob").run("approve", id, "--comment", "ok");
    assertEquals(0, approved.code(), approved.toString());
    assertTrue(
        approved.out().contains("Approved approval of " + id + " as bob"), approved.toString());

    Cli.Result watched = runs.cli().run("watch", id);
    assertEquals(0, watched.code(), watched.toString());
    assertTrue(watched.out().contains(id + ": SUCCEEDED (exit 0)"), watched.toString());
    assertTrue(watched.out().contains("[DONE]        apply"), watched.toString());
    assertTrue(runs.calls.contains("apply " + id + "/apply"), runs.calls.toString());

    Cli.Result after = runs.cli().run("status", id, "--output", "json");
    assertEquals(0, after.code(), after.toString());
    assertEquals("SUCCEEDED", JSON.readTree(after.out()).path("outcome").asText());
  }

  @Test
  void selfApprovalUnderFourEyesIsRefusedWithExitTwoAndTheRunKeepsWaiting() throws Exception {
    String id = runs.start("four-eyes-db", "alice", true, null);
    awaitApprovalGate(id);

    Cli.Result refused = runs.cli().with("RUNBOOK_USER", "alice").run("approve", id);
    assertEquals(2, refused.code(), refused.toString());
    assertTrue(refused.err().contains("approval of run " + id + " refused"), refused.toString());

    JsonNode still = awaitApprovalGate(id);
    assertEquals("RUNNING", still.path("status").asText());
    runs.cli().run("abort", id, "--wait");
  }

  @Test
  void abortRunsTheCompensationsAndExitsThree() throws Exception {
    String id = runs.start("abort-db", "alice", false, null);
    awaitApprovalGate(id);

    Cli.Result aborted = runs.cli().run("abort", id, "--reason", "wrong window", "--wait");
    assertEquals(3, aborted.code(), aborted.toString());
    assertTrue(aborted.out().contains("compensations"), aborted.toString());
    assertTrue(aborted.out().contains(id + ": ABORTED (exit 3)"), aborted.toString());
    assertTrue(runs.calls.contains("undo " + id + "/prepare"), runs.calls.toString());

    Cli.Result status = runs.cli().run("status", id);
    assertEquals(3, status.code(), status.toString());

    Cli.Result again = runs.cli().run("abort", id);
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("already ended"), again.toString());

    Cli.Result late = runs.cli().run("approve", id);
    assertEquals(2, late.code(), late.toString());
    assertTrue(late.err().contains("nothing to approve"), late.toString());
  }

  @Test
  void aSecondMutatingRunOnAHeldTargetIsRefusedNamingTheHolder() throws Exception {
    String holder = runs.start("locked-db", "alice", false, null);
    awaitApprovalGate(holder);

    TargetLockedException refused =
        assertThrows(
            TargetLockedException.class,
            () -> runs.start("locked-db", "carol", false, "migrate-locked-db-second"));
    assertTrue(refused.getMessage().contains(holder), refused.getMessage());
    assertTrue(refused.getMessage().contains("started by alice"), refused.getMessage());

    runs.cli().run("abort", holder, "--wait");
    String next = runs.start("locked-db", "carol", false, "migrate-locked-db-third");
    awaitApprovalGate(next);
    runs.cli().run("abort", next, "--wait");
  }

  @Test
  void aRunNeverTakesTheIdOfAnEarlierOneEvenInTheSameSecond() throws Exception {
    Clock sameSecond = Clock.fixed(Instant.parse("2026-11-24T06:30:00Z"), ZoneOffset.UTC);
    String first = runs.start("twice-db", "alice", false, null, sameSecond);
    assertEquals("migrate-twice-db-20261124T063000", first);
    awaitApprovalGate(first);
    runs.cli().run("abort", first, "--wait");

    // Its steps key their idempotency on the ID: a second run under it would take the first's
    // work for its own.
    String second = runs.start("twice-db", "bob", false, null, sameSecond);
    assertEquals(first + "-2", second);
    awaitApprovalGate(second);
    runs.cli().run("abort", second, "--wait");

    UsageException taken =
        assertThrows(
            UsageException.class, () -> runs.start("twice-db", "carol", false, first, sameSecond));
    assertTrue(
        taken.getMessage().contains("a run with ID " + first + " exists already"),
        taken.getMessage());
  }

  @Test
  void listShowsRunsButNotTheLockWorkflows() throws Exception {
    String id = runs.start("list-db", "alice", false, null);
    awaitApprovalGate(id);

    Cli.Result text = runs.cli().run("list");
    assertEquals(0, text.code(), text.toString());
    assertTrue(text.out().startsWith("ID"), text.toString());
    assertTrue(
        text.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith(id)
                        && l.contains("migrate")
                        && l.contains("list-db")
                        && l.contains("RUNNING")),
        text.toString());
    assertFalse(text.out().contains("runbook-lock-"), text.toString());

    Cli.Result json = runs.cli().run("list", "--running", "--output", "json");
    assertEquals(0, json.code(), json.toString());
    boolean found = false;
    for (JsonNode row : JSON.readTree(json.out())) {
      assertFalse(row.path("workflowId").asText().startsWith("runbook-lock-"));
      assertEquals("RUNNING", row.path("status").asText());
      found |= row.path("workflowId").asText().equals(id);
    }
    assertTrue(found, json.toString());

    runs.cli().run("abort", id, "--wait");
    Cli.Result running = runs.cli().run("list", "--running");
    assertFalse(running.out().contains(id), running.toString());
    Cli.Result all = runs.cli().run("list");
    assertTrue(
        all.out().lines().anyMatch(l -> l.startsWith(id) && l.contains("ABORTED")),
        "the runbook's outcome, not Temporal's status:\n" + all);
    Cli.Result ended = runs.cli().run("list", "-o", "json");
    JsonNode aborted = null;
    for (JsonNode row : JSON.readTree(ended.out())) {
      if (row.path("workflowId").asText().equals(id)) {
        aborted = row;
      }
    }
    assertTrue(aborted != null, ended.toString());
    assertEquals("CANCELED", aborted.path("status").asText(), ended.toString());
    assertEquals("ABORTED", aborted.path("outcome").asText(), ended.toString());
    assertTrue(aborted.path("closed").isTextual(), "a finished run has closed:\n" + ended);
  }

  @Test
  void unknownRunIdsAreAUsageError() {
    for (String command : List.of("status", "watch", "approve", "abort")) {
      Cli.Result result = runs.cli().run(command, "no-such-run");
      assertEquals(2, result.code(), command + ": " + result);
      assertTrue(result.err().contains("no run with ID no-such-run"), result.toString());
    }
  }
}
