package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
    name = "abort",
    mixinStandardHelpOptions = true,
    description = {
      "Aborts a run: it stops at its current step, undoes what it has done so far (its"
          + " compensations), and ends as ABORTED (exit code 3).",
      "Same as Cancel in the Temporal UI."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook abort migrate-orders-20250301T101500 --reason \"wrong window\" --wait")
final class AbortCommand extends RunCommand {
  @Option(
      names = "--reason",
      paramLabel = "TEXT",
      description = "Why; recorded in the run's history.")
  String reason;

  @Option(
      names = "--wait",
      description = "Follow the run until its compensations have run; exit with its exit code.")
  boolean wait;

  @Override
  public Integer call() throws InterruptedException {
    try (TemporalConnection temporal = connect()) {
      fetchRunning(temporal, "has already ended", "abort");
      String user = Identity.user(root.env());
      String why = "aborted by " + user + (reason == null ? "" : ": " + reason);
      temporal.client().newUntypedWorkflowStub(workflowId).cancel(why);
      PrintWriter out = spec.commandLine().getOut();
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("workflowId", workflowId);
        json.put("abortRequested", true);
        json.put("reason", why);
        int code = ExitCodes.DONE;
        if (wait) {
          RunState end = followToEnd(temporal, spec.commandLine().getErr());
          json.put("outcome", end.outcome());
          json.put("exitCode", end.exitCode());
          code = end.exitCode();
        }
        out.println(Json.write(json));
        return code;
      }
      out.println(
          "Abort requested for "
              + workflowId
              + " ("
              + why
              + "). The run stops at its current step, runs the compensations for the steps it"
              + " has done, and ends as ABORTED.");
      if (!wait) {
        out.println("Follow it with: runbook watch " + workflowId);
        return ExitCodes.DONE;
      }
      out.flush();
      return follow(temporal, out);
    }
  }
}
