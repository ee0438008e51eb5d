package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.Approval;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Approves the step a run waits on. A refused approval (nothing waits, or four-eyes and you started
 * the run) exits 2, not 1: the run has not failed, the request was wrong for its state, and a
 * script must not read it as a failed runbook.
 */
@Command(
    name = "approve",
    mixinStandardHelpOptions = true,
    description = {
      "Approves the step a run waits on, as you ($RUNBOOK_USER, else your login name).",
      "With four-eyes on, the approver must be someone other than who started the run."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook approve migrate-orders-20250301T101500 \\",
      "      --comment \"rehearsal looked fine\""
    })
final class ApproveCommand extends RunCommand {
  static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(60);

  @Option(
      names = "--comment",
      paramLabel = "TEXT",
      description = "Why you approve; kept in the run's history.")
  String comment;

  @Override
  public Integer call() throws InterruptedException {
    try (TemporalConnection temporal = connect()) {
      RunState state = fetchRunning(temporal, "has ended", "approve");
      String step = state.progress() == null ? null : state.progress().awaitingApproval();
      Approval approval = new Approval(Identity.user(root.env()), comment);
      WorkflowStub stub = temporal.client().newUntypedWorkflowStub(workflowId);
      CompletableFuture<Void> update =
          CompletableFuture.supplyAsync(
              () -> stub.update(RunbookWorkflow.APPROVE, Void.class, approval));
      try {
        update.get(ANSWER_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        update.cancel(true);
        throw new UsageException(
            "run "
                + workflowId
                + " did not answer the approval within "
                + ANSWER_TIMEOUT.toSeconds()
                + " s: no worker seems to serve it. Start one ('runbook worker' with task queue "
                + connection.taskQueue()
                + "), then approve again.");
      } catch (ExecutionException e) {
        if (e.getCause() instanceof WorkflowUpdateException) {
          throw new UsageException(
              "approval of run " + workflowId + " refused: " + reason(e.getCause()));
        }
        if (e.getCause() instanceof RuntimeException) {
          throw (RuntimeException) e.getCause();
        }
        throw new IllegalStateException(e.getCause());
      }
      PrintWriter out = spec.commandLine().getOut();
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("workflowId", workflowId);
        json.put("approved", step);
        json.put("approver", approval.approver());
        json.put("comment", comment);
        out.println(Json.write(json));
        return ExitCodes.DONE;
      }
      out.println(
          "Approved "
              + (step == null ? "the waiting step" : step)
              + " of "
              + workflowId
              + " as "
              + approval.approver()
              + ". The run continues; follow it with: runbook watch "
              + workflowId);
      return ExitCodes.DONE;
    }
  }

  private static String reason(Throwable updateFailure) {
    for (Throwable t = updateFailure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure) {
        return ((ApplicationFailure) t).getOriginalMessage();
      }
    }
    return RunState.rootMessage(updateFailure);
  }
}
