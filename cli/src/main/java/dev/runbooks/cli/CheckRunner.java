package dev.runbooks.cli;

import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.check.CheckPlan;
import dev.runbooks.workflows.check.CheckRequest;
import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.CheckWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.time.Duration;

/** Starts the check runbook the same way for {@code check} and {@code demo}. */
final class CheckRunner {
  /** A finished check: its final state and, when it completed, its report. */
  record Finished(RunState end, CheckResult result) {
    int exitCode() {
      return CheckReport.exitCode(result, end);
    }
  }

  private final WorkflowClient client;
  private final String taskQueue;
  private final String initiator;

  CheckRunner(WorkflowClient client, String taskQueue, String initiator) {
    this.client = client;
    this.taskQueue = taskQueue;
    this.initiator = initiator;
  }

  /**
   * Starts a check of {@code target} and returns its workflow ID.
   *
   * @param workflowId the user's ID, or null for the business key
   */
  String start(TargetConfig target, Duration longTransaction, String workflowId) {
    RunbookStarter.Launch launch = launch(target, longTransaction, workflowId, initiator);
    CheckRequest request = (CheckRequest) launch.request();
    return new RunbookStarter(client, taskQueue, Clock.systemUTC())
        .start(CheckWorkflow.class, launch.plan(), wf -> WorkflowClient.start(wf::run, request));
  }

  /** A check of {@code target}, as {@code check} starts it and a schedule repeats it. */
  static RunbookStarter.Launch launch(
      TargetConfig target, Duration longTransaction, String workflowId, String initiator) {
    CheckRequest request =
        new CheckRequest(
            new RunbookRequest(
                target.name(), initiator, target.fourEyes(), target.approvalTimeout()),
            longTransaction);
    String primary = target.primary().toString();
    return new RunbookStarter.Launch(
        CheckWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.CHECK,
            target.name(),
            workflowId,
            initiator,
            CheckPlan.summary(request, primary),
            CheckPlan.markdown(request, primary, target.replicaNames())));
  }

  /** Follows a started check to its end and fetches its report when it completed. */
  Finished follow(String workflowId, Follower follower) throws InterruptedException {
    RunState end = follower.follow(workflowId);
    CheckResult result = null;
    if (end.status().equals("COMPLETED")) {
      result = client.newUntypedWorkflowStub(workflowId).getResult(CheckResult.class);
    }
    return new Finished(end, result);
  }
}
