package dev.runbooks.cli;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One look at a run: what Temporal says about it (describe) and what it says about itself (the
 * {@code progress} query), plus the progress its running activities report in their heartbeats.
 *
 * @param status Temporal's status: RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT
 * @param progress the run's own account, or null when it could not be asked (see {@code
 *     progressProblem})
 * @param activities heartbeat progress of the activities running now
 */
record RunState(
    String workflowId,
    String runId,
    String workflowType,
    String status,
    Instant started,
    Instant closed,
    String summary,
    String kind,
    String target,
    RunbookProgress progress,
    String progressProblem,
    List<ActivityProgress> activities) {
  RunState {
    activities = List.copyOf(activities);
  }

  static RunState fetch(WorkflowClient client, String workflowId) {
    WorkflowStub stub = client.newUntypedWorkflowStub(workflowId);
    WorkflowExecutionDescription description = stub.describe();
    RunbookProgress progress = null;
    String problem = null;
    try {
      progress = stub.query(RunbookWorkflow.PROGRESS, RunbookProgress.class);
    } catch (WorkflowException e) {
      problem = rootMessage(e);
    }
    SearchAttributes attributes = description.getTypedSearchAttributes();
    return new RunState(
        workflowId,
        description.getExecution().getRunId(),
        description.getWorkflowType(),
        label(description.getStatus()),
        description.getStartTime(),
        description.getCloseTime(),
        description.getStaticSummary(),
        progress != null ? progress.kind().label() : attributes.get(RunbookSearchAttributes.KIND),
        progress != null && !progress.target().isEmpty()
            ? progress.target()
            : attributes.get(RunbookSearchAttributes.TARGET),
        progress,
        problem,
        heartbeats(description, client.getOptions().getDataConverter()));
  }

  private static List<ActivityProgress> heartbeats(
      WorkflowExecutionDescription description, DataConverter converter) {
    List<ActivityProgress> result = new ArrayList<>();
    for (PendingActivityInfo activity :
        description.getRawDescription().getPendingActivitiesList()) {
      if (!activity.hasHeartbeatDetails()) {
        continue;
      }
      try {
        ActivityProgress progress =
            converter.fromPayloads(
                0,
                Optional.of(activity.getHeartbeatDetails()),
                ActivityProgress.class,
                ActivityProgress.class);
        if (progress != null) {
          result.add(progress);
        }
      } catch (DataConverterException e) {
        // Heartbeats that are not ActivityProgress (a cursor, a checkpoint) carry no bar.
      }
    }
    return result;
  }

  /** RUNNING, COMPLETED, ... without the protobuf prefix. */
  static String label(WorkflowExecutionStatus status) {
    return status.name().replace("WORKFLOW_EXECUTION_STATUS_", "");
  }

  boolean running() {
    return status.equals("RUNNING");
  }

  /**
   * The exit code of the run: 0 while it runs, then the outcome's when the run reported one, else
   * from Temporal's status (a failed, terminated or timed-out workflow is 1, a cancelled one 3).
   */
  int exitCode() {
    if (running()) {
      return ExitCodes.DONE;
    }
    if (progress != null && progress.outcome().finished()) {
      return progress.outcome().exitCode();
    }
    switch (status) {
      case "COMPLETED":
        return ExitCodes.DONE;
      case "CANCELED":
        return ExitCodes.ROLLED_BACK_OR_ABORTED;
      default:
        return ExitCodes.RUNBOOK_FAILED;
    }
  }

  /** The outcome's name once the run reported one, else Temporal's status. */
  String outcome() {
    if (progress != null && progress.outcome().finished()) {
      return progress.outcome().name();
    }
    return status;
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}
