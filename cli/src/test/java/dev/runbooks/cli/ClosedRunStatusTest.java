package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A closed run's view tells how it ended: no step of it is still RUNNING and nothing waits for an
 * approval, whether it was aborted at its gate, failed, timed out or was terminated.
 */
class ClosedRunStatusTest {
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

  @Test
  void anAbortedRunShowsNoRunningStepAndNoApproveHint() throws Exception {
    String id = runs.start("closed-db", "alice", false, null);
    awaitGate(id);
    Cli.Result abort = runs.cli().run("abort", id, "--wait");
    assertEquals(3, abort.code(), abort.toString());

    Cli.Result text = runs.cli().run("status", id);
    assertEquals(3, text.code(), text.toString());
    assertFalse(text.out().contains("[RUNNING]"), text.toString());
    assertFalse(text.out().contains("runbook approve"), text.toString());
    assertFalse(text.out().contains("waiting for approval of"), text.toString());
    assertTrue(text.out().contains("[FAILED]      approval"), text.toString());
    assertTrue(text.out().contains("not finished: the run was aborted"), text.toString());

    StringWriter colored = new StringWriter();
    Map<String, String> env = runs.cli().env();
    assertEquals(
        3,
        new Main(new PrintWriter(colored), new PrintWriter(new StringWriter()), env, true)
            .run("status", id));
    assertTrue(colored.toString().contains("\033[31;1m[FAILED]"), colored.toString());
    assertTrue(colored.toString().contains("\033[33mABORTED"), colored.toString());
    StringWriter plain = new StringWriter();
    new Main(new PrintWriter(plain), new PrintWriter(new StringWriter()), env, true)
        .run("status", id, "--no-color");
    assertFalse(plain.toString().contains("\033["), plain.toString());

    JsonNode json = JSON.readTree(runs.cli().run("status", id, "--output", "json").out());
    assertTrue(json.path("awaitingApproval").isNull(), json.toString());
    json.path("steps")
        .forEach(
            s -> assertEquals(false, "RUNNING".equals(s.path("state").asText()), s.toString()));
  }

  @Test
  void aTimedOutOrTerminatedRunLeavesNoStepRunning() {
    RunbookProgress gate =
        new RunbookProgress(
            RunbookKind.MIGRATE,
            "orders",
            "alice",
            List.of(
                new Step("lock", StepState.DONE, Instant.EPOCH, Instant.EPOCH, "held"),
                new Step(
                    "approval", StepState.RUNNING, Instant.EPOCH, null, "waiting for approval"),
                Step.pending("apply")),
            "approval",
            Outcome.RUNNING,
            "",
            "waiting for approval");
    for (String status : List.of("TIMED_OUT", "TERMINATED", "FAILED", "CANCELED")) {
      RunbookProgress closed = ClosedRun.settle(gate, status, Instant.EPOCH.plusSeconds(9));
      assertEquals(null, closed.awaitingApproval(), status);
      assertEquals(StepState.FAILED, closed.steps().get(1).state(), status);
      assertTrue(closed.steps().get(1).detail().contains("not finished"), status);
      assertEquals(Instant.EPOCH.plusSeconds(9), closed.steps().get(1).end(), status);
      assertEquals(StepState.PENDING, closed.steps().get(2).state(), status);
      assertEquals(gate.steps().get(0), closed.steps().get(0), status);
    }
    assertEquals(gate, ClosedRun.settle(gate, "RUNNING", null), "a running run is shown as it is");
    assertTrue(
        ClosedRun.settle(gate, "TIMED_OUT", null).steps().get(1).detail().contains("timed out"),
        "the reason is Temporal's status");
  }

  private static void awaitGate(String id) throws Exception {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(90));
    while (Instant.now().isBefore(deadline)) {
      Cli.Result last = runs.cli().run("status", id, "--output", "json");
      if (last.code() == 0
          && "approval".equals(JSON.readTree(last.out()).path("awaitingApproval").asText())) {
        return;
      }
      Thread.sleep(200);
    }
    throw new AssertionError("run " + id + " never reached its approval gate");
  }
}
