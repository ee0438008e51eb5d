package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.jline.terminal.Size;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** How watch draws a run: lines for logs, a redrawn frame with progress bars for terminals. */
class FollowerTest {
  private static final Instant T0 = Instant.parse("2026-01-24T10:00:00Z");
  private static final Clock CLOCK = Clock.fixed(T0.plusSeconds(30), ZoneOffset.UTC);

  private static RunState state(
      String status, List<Step> steps, String approval, List<ActivityProgress> bars) {
    RunbookProgress progress =
        new RunbookProgress(
            RunbookKind.BACKUP,
            "orders",
            "alice",
            steps,
            approval,
            status.equals("RUNNING") ? Outcome.RUNNING : Outcome.SUCCEEDED,
            status.equals("RUNNING") ? "" : "all steps done",
            "");
    return new RunState(
        "backup-orders-20260124T100000",
        "run-1",
        "BackupWorkflow",
        status,
        T0,
        null,
        "backup orders",
        "backup",
        "orders",
        progress,
        null,
        bars,
        null);
  }

  private static Step step(String name, StepState state, int startedSecondsIn, String detail) {
    return new Step(
        name,
        state,
        state == StepState.PENDING ? null : T0.plusSeconds(startedSecondsIn),
        state == StepState.DONE ? T0.plusSeconds(startedSecondsIn + 2) : null,
        detail);
  }

  @Test
  void plainOutputPrintsEachChangeOnceWithQuarterlyProgress() {
    StringWriter text = new StringWriter();
    Follower follower = new Follower(null, new PrintWriter(text), Screen.plain(), CLOCK);
    ActivityProgress quarter = new ActivityProgress("dump", 30, 100, "bytes");
    ActivityProgress stillQuarter = new ActivityProgress("dump", 40, 100, "bytes");
    ActivityProgress threeQuarters = new ActivityProgress("dump", 80, 100, "bytes");

    follower.render(
        state(
            "RUNNING",
            List.of(
                step("dump", StepState.RUNNING, 0, ""), step("verify", StepState.PENDING, 0, "")),
            null,
            List.of(quarter)));
    follower.render(
        state(
            "RUNNING",
            List.of(
                step("dump", StepState.RUNNING, 0, ""), step("verify", StepState.PENDING, 0, "")),
            null,
            List.of(stillQuarter)));
    follower.render(
        state(
            "RUNNING",
            List.of(
                step("dump", StepState.RUNNING, 0, ""), step("verify", StepState.PENDING, 0, "")),
            null,
            List.of(threeQuarters)));
    follower.render(
        state(
            "RUNNING",
            List.of(
                step("dump", StepState.DONE, 0, "80 B"), step("verify", StepState.RUNNING, 3, "")),
            "verify",
            List.of()));

    List<String> lines = text.toString().lines().toList();
    assertEquals(6, lines.size(), text.toString());
    assertTrue(lines.get(0).startsWith("  [RUNNING]     dump"), lines.get(0));
    assertTrue(
        lines.get(1).contains("dump: [#######") && lines.get(1).contains("30%"), lines.get(1));
    assertTrue(
        lines.get(2).contains("80%") && lines.get(2).contains("80 B of 100 B"), lines.get(2));
    assertTrue(
        lines.get(3).startsWith("  [DONE]        dump") && lines.get(3).endsWith("80 B"),
        lines.get(3));
    assertTrue(lines.get(4).startsWith("  [RUNNING]     verify"), lines.get(4));
    assertTrue(lines.get(5).contains("waiting for approval of verify"), lines.get(5));
  }

  @Test
  void aTerminalFrameShowsTheBarOnItsStepAndTheGate() {
    List<String> frame =
        Follower.frame(
            state(
                "RUNNING",
                List.of(
                    step("lock", StepState.DONE, 0, "held"),
                    step("dump", StepState.RUNNING, 2, ""),
                    step("apply", StepState.PENDING, 0, "")),
                "apply",
                List.of(new ActivityProgress("dump", 3L << 30, 4L << 30, "bytes"))),
            CLOCK.instant());
    assertEquals("backup orders  backup-orders-20260124T100000  RUNNING", frame.get(0));
    assertEquals("  [DONE]        lock                    2.0s    held", frame.get(1));
    assertTrue(frame.get(2).contains("28.0s"), frame.get(2));
    assertTrue(
        frame.get(2).endsWith("[##################......]  75%  3.0 GB of 4.0 GB"), frame.get(2));
    assertEquals("  [PENDING]     apply", frame.get(3));
    assertTrue(
        frame.get(4).contains("runbook approve backup-orders-20260124T100000"), frame.get(4));
  }

  @Test
  void aTerminalRedrawMovesBackOverThePreviousFrame() {
    StringWriter text = new StringWriter();
    Screen screen = new Screen(true, false, () -> new Size(80, 24));
    Follower follower = new Follower(null, new PrintWriter(text), screen, CLOCK);
    RunState running =
        state("RUNNING", List.of(step("dump", StepState.RUNNING, 0, "")), null, List.of());
    follower.render(running);
    String first = text.toString();
    follower.render(running);
    String second = text.toString().substring(first.length());
    assertTrue(first.startsWith("\rbackup orders"), "the first frame is drawn where the cursor is");
    assertTrue(
        second.startsWith("\r\033[2Abackup orders"), "then over it, from two rows up: " + second);
  }

  @Test
  void plainOutputShowsProgressWithoutATotalAtEachDoubling() {
    StringWriter text = new StringWriter();
    Follower follower = new Follower(null, new PrintWriter(text), Screen.plain(), CLOCK);
    for (long done : new long[] {1000, 1010, 1020, 2100, 2200, 5000}) {
      follower.render(
          state(
              "RUNNING",
              List.of(step("dump", StepState.RUNNING, 0, "")),
              null,
              List.of(new ActivityProgress("dump", done, 0, "bytes"))));
    }
    List<String> lines = text.toString().lines().toList();
    assertEquals(
        List.of("  dump: 1000 B so far", "  dump: 2.1 KB so far", "  dump: 4.9 KB so far"),
        lines.subList(1, lines.size()),
        text.toString());
  }

  @Test
  void aStepRunningAChildWorkflowShowsTheChildsProgress() {
    List<String> frame =
        Follower.frame(
            state(
                "RUNNING",
                List.of(
                    step("dump", StepState.DONE, 0, "stored"),
                    step("verify", StepState.RUNNING, 2, "")),
                null,
                List.of(new ActivityProgress("restore", 1L << 20, 4L << 20, "bytes"))),
            CLOCK.instant());
    assertTrue(frame.get(2).endsWith("25%  1.0 MB of 4.0 MB"), frame.get(2));
  }

  @Test
  void aTerminalShowsTheRateOfProgressOnceItHasWatchedForAWhile() {
    Instant[] now = {T0.plusSeconds(30)};
    Clock moving =
        new Clock() {
          @Override
          public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
          }

          @Override
          public Clock withZone(java.time.ZoneId zone) {
            return this;
          }

          @Override
          public Instant instant() {
            return now[0];
          }
        };
    StringWriter text = new StringWriter();
    Screen screen = new Screen(true, false, () -> new Size(100, 24));
    Follower follower = new Follower(null, new PrintWriter(text), screen, moving);
    List<Step> dumping = List.of(step("dump", StepState.RUNNING, 0, ""));
    follower.render(
        state("RUNNING", dumping, null, List.of(new ActivityProgress("dump", 0, 0, "bytes"))));
    assertTrue(!text.toString().contains("/s"), text.toString());
    now[0] = now[0].plusSeconds(4);
    follower.render(
        state(
            "RUNNING", dumping, null, List.of(new ActivityProgress("dump", 8L << 20, 0, "bytes"))));
    assertTrue(text.toString().contains("8.0 MB so far, 2.0 MB/s"), text.toString());
  }

  @Test
  void colourOnlyOnATerminalAndNeverWithNoColor() {
    assertTrue(Screen.of(Map.of(), true, false).color());
    assertTrue(!Screen.of(Map.of("NO_COLOR", "1"), true, false).color());
    assertTrue(!Screen.of(Map.of(), true, true).color());
    assertTrue(!Screen.of(Map.of(), false, false).color());
    assertTrue(!Screen.of(Map.of(), false, false).live());
    assertEquals(
        new Size(132, 40),
        Screen.of(Map.of("COLUMNS", "132", "LINES", "40"), true, false).size().get());
  }

  /** The demo's live views are drawn on the root's screen, so --no-color reaches them. */
  @Test
  void theDemoHonoursNoColorOnATerminal() {
    assertTrue(demoScreen("demo").color());
    assertTrue(!demoScreen("demo", "--no-color").color());
    assertTrue(!demoScreen("--no-color", "demo").color());
  }

  private static Screen demoScreen(String... args) {
    RunbookCommand root = new RunbookCommand(Map.of(), true);
    List<CommandLine> chain =
        new Main(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()), Map.of())
            .commandLine(root)
            .parseArgs(args)
            .asCommandLineList();
    return ((DemoCommand) chain.get(chain.size() - 1).getCommand()).screen();
  }

  @Test
  void countsWithoutATotalAreShownAsSoFar() {
    assertEquals("12 tables so far", Text.bar(new ActivityProgress("restore", 12, 0, "tables")));
    assertEquals("1.5 MB", Text.amount(1536 * 1024, "bytes"));
  }
}
