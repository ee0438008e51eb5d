package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Clock;
import picocli.CommandLine.Command;

@Command(
    name = "status",
    mixinStandardHelpOptions = true,
    description = {
      "Shows a run: its steps, what it does now, what it waits for, and how it ended.",
      "Exits with the run's exit code once it has ended, 0 while it runs."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook status check-orders-20250301T101500 --output json")
final class StatusCommand extends RunCommand {
  @Override
  public Integer call() {
    try (TemporalConnection temporal = connect()) {
      RunState state = RunState.fetch(temporal.client(), workflowId);
      PrintWriter out = spec.commandLine().getOut();
      if (connection.json()) {
        out.println(Json.write(Json.run(state)));
      } else {
        boolean color = root.screen().color();
        StringWriter text = new StringWriter();
        print(state, new PrintWriter(text));
        text.toString().lines().forEach(line -> out.println(Palette.render(line, color)));
      }
      return state.exitCode();
    }
  }

  static void print(RunState state, PrintWriter out) {
    RunbookProgress progress = state.progress();
    out.println("Run:       " + state.workflowId() + "  (run " + state.runId() + ")");
    String who = progress == null ? "" : ", started by " + progress.initiator();
    out.println(
        "Runbook:   "
            + (state.kind() == null ? state.workflowType() : state.kind())
            + (state.target() == null ? "" : " " + state.target())
            + who
            + " at "
            + Text.time(state.started()));
    if (state.summary() != null && !state.summary().isEmpty()) {
      out.println("Summary:   " + state.summary());
    }
    if (state.running()) {
      out.println("Status:    RUNNING");
    } else {
      out.println(
          "Status:    " + Follower.ending(state).substring(state.workflowId().length() + 2));
      out.println("Ended:     " + Text.time(state.closed()));
    }
    if (progress == null) {
      out.println("Progress:  not available (" + state.progressProblem() + ")");
      return;
    }
    if (!progress.current().isEmpty()) {
      out.println((state.running() ? "Now:       " : "Last:      ") + progress.current());
    }
    out.println("Steps:");
    for (Step step : progress.steps()) {
      out.println(Follower.stepLine(step, Clock.systemUTC().instant()));
    }
    if (progress.awaitingApproval() != null) {
      out.println(Follower.approvalLine(state.workflowId(), progress.awaitingApproval()));
    }
    for (var activity : state.activities()) {
      out.println("  " + activity.step() + ": " + Text.bar(activity));
    }
  }
}
