package dev.runbooks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class RunbookOutputTest {
  /** The steps of `runbook restore-drill --embedded --output json` as it prints them. */
  private static final JsonNode DRILL =
      RunbookOutput.parse(
          String.join(
              "\n",
              "{",
              "  \"workflowId\" : \"restore-drill-bench-20261124T044303\",",
              "  \"outcome\" : \"SUCCEEDED\",",
              "  \"steps\" : [ {",
              "    \"name\" : \"resolve\", \"state\" : \"DONE\",",
              "    \"start\" : \"2026-11-24T04:43:03.425Z\", \"end\" : \"2026-11-24T04:43:03.741Z\"",
              "  }, {",
              "    \"name\" : \"restore\", \"state\" : \"DONE\",",
              "    \"start\" : \"2026-11-24T04:43:03.741Z\", \"end\" : \"2026-11-24T04:44:04.343Z\"",
              "  }, {",
              "    \"name\" : \"compare\", \"state\" : \"RUNNING\",",
              "    \"start\" : \"2026-11-24T04:44:04.343Z\", \"end\" : null",
              "  } ]",
              "}"),
          "drill");

  @Test
  void aStepTakesFromItsStartToItsEnd() {
    assertEquals(Duration.ofMillis(60_602), RunbookOutput.step(DRILL, "restore", "drill"));
    assertEquals(Duration.ofMillis(316), RunbookOutput.step(DRILL, "resolve", "drill"));
  }

  @Test
  void aStepThatDidNotEndDoneOrIsMissingIsAFailureNotATime() {
    BenchException running =
        assertThrows(BenchException.class, () -> RunbookOutput.step(DRILL, "compare", "drill"));
    assertTrue(running.getMessage().contains("to be DONE"), running.getMessage());
    BenchException missing =
        assertThrows(BenchException.class, () -> RunbookOutput.step(DRILL, "verify", "drill"));
    assertTrue(missing.getMessage().contains("a step named verify"), missing.getMessage());
  }

  @Test
  void middleValueOrMeanOfTheTwoMiddleOnes() {
    assertEquals(
        Duration.ofSeconds(3),
        Figures.median(
            List.of(Duration.ofSeconds(9), Duration.ofSeconds(1), Duration.ofSeconds(3)), d -> d));
    assertEquals(
        Duration.ofMillis(2500),
        Figures.median(List.of(Duration.ofSeconds(3), Duration.ofSeconds(2)), d -> d));
  }
}
