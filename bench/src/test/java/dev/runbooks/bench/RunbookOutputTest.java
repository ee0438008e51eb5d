package dev.runbooks.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunbookOutputTest {
  /** What `runbook restore-drill --output json` writes to stderr when it is not on a terminal. */
  private static final String DRILL_STDERR =
      String.join(
          "\n",
          "04:09:40.524 INFO  [] [] d.r.w.EmbeddedTemporal - Embedded Temporal service listening",
          "Started restore-drill-bench-20261124T035938 on 127.0.0.1:46253",
          "  [RUNNING]     resolve                 0.9s",
          "  [DONE]        resolve                 0.8s    backup 20261124T035927Z-088c",
          "  [RUNNING]     restore                 0.5s",
          "  restore: 0 B so far",
          "  [DONE]        restore                 1m05s   566889 bytes restored into drill_x in"
              + " PT1.35S",
          "  [DONE]        compare                 0.2s    4 tables, 200022 rows match",
          "  [SKIPPED]     verify                          --no-verify",
          "  [DONE]        cleanup                 1h02m",
          "restore-drill-bench-20261124T035938: SUCCEEDED (exit 0): all steps done");

  @Test
  void readsTheDurationOfEveryStepThatEndedDone() {
    Map<String, Duration> steps = RunbookOutput.doneSteps(DRILL_STDERR);

    assertEquals(
        Map.of(
            "resolve", Duration.ofMillis(800),
            "restore", Duration.ofSeconds(65),
            "compare", Duration.ofMillis(200),
            "cleanup", Duration.ofMinutes(62)),
        steps);
  }

  @Test
  void readsDurationsAsTheCliShowsThem() {
    assertEquals(Duration.ofMillis(12_300), RunbookOutput.parseShown("12.3s"));
    assertEquals(Duration.ofSeconds(245), RunbookOutput.parseShown("4m05s"));
    assertEquals(Duration.ofMinutes(62), RunbookOutput.parseShown("1h02m"));
    assertThrows(IllegalArgumentException.class, () -> RunbookOutput.parseShown("PT1S"));
  }

  @Test
  void middleValueOrMeanOfTheTwoMiddleOnes() {
    assertEquals(
        Duration.ofSeconds(3),
        BackupBench.median(
            java.util.List.of(Duration.ofSeconds(9), Duration.ofSeconds(1), Duration.ofSeconds(3)),
            d -> d));
    assertEquals(
        Duration.ofMillis(2500),
        BackupBench.median(
            java.util.List.of(Duration.ofSeconds(3), Duration.ofSeconds(2)), d -> d));
  }
}
