package dev.runbooks.cli;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jline.utils.AttributedString;

/**
 * Follows a run until it ends. On a terminal it redraws the step list in place ({@link LiveView}:
 * fitted to the terminal, coloured), with a progress bar for steps whose activity reports {@link
 * ActivityProgress}, and ends with the final frame whole; otherwise (a pipe, a CI log) it prints
 * one line per change, so the output reads as a log.
 */
final class Follower {
  static final Duration POLL = Duration.ofMillis(400);

  private final WorkflowClient client;
  private final PrintWriter out;
  private final Screen screen;
  private final Clock clock;

  // Plain mode: what has been printed already.
  private final Map<String, StepState> printedStates = new HashMap<>();
  private final Map<String, Long> printedMilestones = new HashMap<>();
  private String printedApproval;
  // Terminal mode: the frame on the screen, and where each step's progress was first seen.
  private final LiveView view;
  private final Map<String, Sample> firstSeen = new HashMap<>();

  Follower(WorkflowClient client, PrintWriter out, Screen screen, Clock clock) {
    this.client = client;
    this.out = out;
    this.screen = screen;
    this.clock = clock;
    this.view = screen.live() ? new LiveView(out, screen, Charset.defaultCharset()) : null;
  }

  /** Polls until the run has ended and returns its final state. */
  RunState follow(String workflowId) throws InterruptedException {
    while (true) {
      RunState state = RunState.fetch(client, workflowId);
      if (!state.running()) {
        finish(state);
        return state;
      }
      render(state);
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
    if (view != null) {
      List<AttributedString> frame = new ArrayList<>();
      for (String line : frame(state, clock.instant(), rates(state, clock.instant()))) {
        frame.add(screen.color() ? Palette.paint(line) : new AttributedString(line));
      }
      view.draw(frame);
    } else {
      printChanges(state);
    }
  }

  /**
   * Shows how the run ended: on a terminal the live frame gives way to the final one with every
   * detail whole (wrapped by the terminal, never redrawn again); then the ending line.
   */
  void finish(RunState state) {
    if (view != null) {
      view.clear();
      for (String line : frame(state, clock.instant())) {
        out.println(Palette.render(line, screen.color()));
      }
    } else {
      printChanges(state);
    }
    out.println(Palette.render(ending(state), screen.color()));
    out.flush();
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
        long milestone = Text.milestone(bar);
        Long printed = printedMilestones.put(step.name(), milestone);
        if (printed == null || printed != milestone) {
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

  /** The step list as a terminal shows it. */
  static List<String> frame(RunState state, Instant now) {
    return frame(state, now, Map.of());
  }

  /**
   * Each running step's rate since this view first saw its progress (", 12.3 MB/s"), once that is a
   * few seconds ago: how fast a dump of unknown size goes is what is left to tell of it.
   */
  private Map<String, String> rates(RunState state, Instant now) {
    Map<String, String> rates = new HashMap<>();
    for (Map.Entry<String, ActivityProgress> bar : bars(state).entrySet()) {
      ActivityProgress p = bar.getValue();
      String key = bar.getKey() + "/" + p.step();
      Sample first = firstSeen.computeIfAbsent(key, k -> new Sample(p.done(), now));
      Duration over = Duration.between(first.at(), now);
      if (over.compareTo(RATE_AFTER) >= 0 && p.done() > first.done()) {
        long perSecond = (p.done() - first.done()) * 1000 / over.toMillis();
        rates.put(bar.getKey(), ", " + Text.amount(perSecond, p.unit()) + "/s");
      }
    }
    return rates;
  }

  /** How long the view watches progress before it tells a rate. */
  private static final Duration RATE_AFTER = Duration.ofSeconds(2);

  private record Sample(long done, Instant at) {}

  /** The step list as a terminal shows it, with the rates of the steps that report progress. */
  static List<String> frame(RunState state, Instant now, Map<String, String> rates) {
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
                + Text.bar(bar)
                + rates.getOrDefault(step.name(), ""));
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

  /**
   * Each step's progress: the progress its activity reports, else (a step that runs a child
   * workflow, whose activities name their own steps) the one progress no step of the run claims.
   */
  private static Map<String, ActivityProgress> bars(RunState state) {
    Map<String, ActivityProgress> bars = new HashMap<>();
    for (ActivityProgress p : state.activities()) {
      bars.put(p.step(), p);
    }
    if (state.progress() == null) {
      return bars;
    }
    List<ActivityProgress> unclaimed = new ArrayList<>(state.activities());
    unclaimed.removeIf(
        p -> state.progress().steps().stream().anyMatch(s -> s.name().equals(p.step())));
    List<Step> running =
        state.progress().steps().stream()
            .filter(s -> s.state() == StepState.RUNNING && !bars.containsKey(s.name()))
            .toList();
    if (unclaimed.size() == 1 && running.size() == 1) {
      bars.put(running.get(0).name(), unclaimed.get(0));
    }
    return bars;
  }
}
