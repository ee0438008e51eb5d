package dev.runbooks.cli;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Follows a run until it ends. On a terminal it redraws the step list in place, with a progress bar
 * for steps whose activity reports {@link ActivityProgress}; otherwise (a pipe, a CI log) it prints
 * one line per change, so the output reads as a log.
 */
final class Follower {
  static final Duration POLL = Duration.ofMillis(400);

  private final WorkflowClient client;
  private final PrintWriter out;
  private final boolean terminal;
  private final Clock clock;

  // Plain mode: what has been printed already.
  private final Map<String, StepState> printedStates = new HashMap<>();
  private final Map<String, Long> printedQuarters = new HashMap<>();
  private String printedApproval;
  // Terminal mode: how many lines the last frame took.
  private int frameLines;

  Follower(WorkflowClient client, PrintWriter out, boolean terminal, Clock clock) {
    this.client = client;
    this.out = out;
    this.terminal = terminal;
    this.clock = clock;
  }

  /** Polls until the run has ended and returns its final state. */
  RunState follow(String workflowId) throws InterruptedException {
    while (true) {
      RunState state = RunState.fetch(client, workflowId);
      render(state);
      if (!state.running()) {
        out.println(ending(state));
        out.flush();
        return state;
      }
      Thread.sleep(POLL.toMillis());
    }
  }

  /** "check-orders-...: SUCCEEDED (exit 0): all checks passed". */
  static String ending(RunState state) {
    String detail =
        state.progress() == null || state.progress().outcomeDetail().isEmpty()
            ? ""
            : ": " + state.progress().outcomeDetail();
    return state.workflowId()
        + ": "
        + state.outcome()
        + " (exit "
        + state.exitCode()
        + ")"
        + detail;
  }

  /** Shows one look at the run: a redrawn frame on a terminal, the changes as lines otherwise. */
  void render(RunState state) {
    if (terminal) {
      redraw(state);
    } else {
      printChanges(state);
    }
  }

  private void printChanges(RunState state) {
    RunbookProgress progress = state.progress();
    if (progress == null) {
      return;
    }
    Map<String, ActivityProgress> bars = bars(state);
    for (Step step : progress.steps()) {
      StepState before = printedStates.put(step.name(), step.state());
      if (before != step.state() && !(before == null && step.state() == StepState.PENDING)) {
        out.println(stepLine(step, clock.instant()));
      }
      ActivityProgress bar = bars.get(step.name());
      if (bar != null && step.state() == StepState.RUNNING) {
        long quarter = Text.quarter(bar);
        Long printed = printedQuarters.put(step.name(), quarter);
        if (printed == null || printed != quarter) {
          out.println("  " + step.name() + ": " + Text.bar(bar));
        }
      }
    }
    String approval = progress.awaitingApproval();
    if (approval != null && !approval.equals(printedApproval)) {
      out.println(approvalLine(state.workflowId(), approval));
    }
    printedApproval = approval;
    out.flush();
  }

  private void redraw(RunState state) {
    List<String> frame = frame(state, clock.instant());
    StringBuilder screen = new StringBuilder();
    if (frameLines > 0) {
      // Up to the first line of the previous frame, then clear everything below.
      screen.append("\033[").append(frameLines).append("F\033[J");
    }
    for (String line : frame) {
      screen.append(line).append('\n');
    }
    out.print(screen);
    out.flush();
    frameLines = frame.size();
  }

  /** The step list as a terminal shows it. */
  static List<String> frame(RunState state, Instant now) {
    List<String> lines = new ArrayList<>();
    RunbookProgress progress = state.progress();
    String title =
        (state.kind() == null ? state.workflowType() : state.kind())
            + (state.target() == null ? "" : " " + state.target());
    lines.add(title + "  " + state.workflowId() + "  " + state.status());
    if (progress == null) {
      lines.add("  (progress not available yet: " + state.progressProblem() + ")");
      return lines;
    }
    Map<String, ActivityProgress> bars = bars(state);
    for (Step step : progress.steps()) {
      ActivityProgress bar = bars.get(step.name());
      if (bar != null && step.state() == StepState.RUNNING) {
        lines.add(
            "  "
                + Text.pad(tag(step.state()), 14)
                + Text.pad(step.name(), 24)
                + Text.pad(Text.elapsed(step, now), 8)
                + Text.bar(bar));
      } else {
        lines.add(stepLine(step, now));
      }
    }
    if (!progress.current().isEmpty()) {
      lines.add("  now: " + progress.current());
    }
    if (progress.awaitingApproval() != null) {
      lines.add(approvalLine(state.workflowId(), progress.awaitingApproval()));
    }
    return lines;
  }

  static String stepLine(Step step, Instant now) {
    String line =
        "  "
            + Text.pad(tag(step.state()), 14)
            + Text.pad(step.name(), 24)
            + Text.pad(Text.elapsed(step, now), 8)
            + step.detail();
    return line.stripTrailing();
  }

  static String tag(StepState state) {
    return "[" + state.name() + "]";
  }

  static String approvalLine(String workflowId, String step) {
    return "  waiting for approval of "
        + step
        + ": runbook approve "
        + workflowId
        + " [--comment TEXT]  (or runbook abort "
        + workflowId
        + ")";
  }

  private static Map<String, ActivityProgress> bars(RunState state) {
    Map<String, ActivityProgress> bars = new HashMap<>();
    for (ActivityProgress p : state.activities()) {
      bars.put(p.step(), p);
    }
    return bars;
  }
}
