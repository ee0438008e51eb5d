package dev.runbooks.cli;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.api.enums.v1.RetryState;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflow.v1.PendingChildExecutionInfo;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowException;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DataConverterException;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One look at a run: what Temporal says about it (describe) and what it says about itself (the
 * {@code progress} query), plus the progress its running activities report in their heartbeats.
 *
 * @param status Temporal's status: RUNNING, COMPLETED, FAILED, CANCELED, TERMINATED, TIMED_OUT
 * @param progress the run's own account, or null when it could not be asked (see {@code
 *     progressProblem})
 * @param activities heartbeat progress of the activities running now
 * @param failureType the type of a failed run's failure ({@code BAD_INPUT}...), else null
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
    List<ActivityProgress> activities,
    String failureType) {
  RunState {
    activities = List.copyOf(activities);
  }

  /** How long a failed run's result may take to arrive; it is there already once it failed. */
  private static final Duration FAILURE_WAIT = Duration.ofSeconds(10);

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
    boolean failed =
        description.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED;
    Failure failure = failed ? failure(stub) : Failure.UNKNOWN;
    boolean ended =
        description.getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    progress = RetryWording.settled(progress, ended, failure.exhausted());
    progress =
        ClosedRun.settle(progress, label(description.getStatus()), description.getCloseTime());
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
        heartbeats(client, description),
        failure.type());
  }

  /**
   * What a failed run's result says of its failure.
   *
   * @param type the failure's type ({@code BAD_INPUT}...), or null
   * @param exhausted whether an activity behind it was retried until its attempts ran out
   */
  private record Failure(String type, boolean exhausted) {
    static final Failure UNKNOWN = new Failure(null, false);
  }

  /** The failure of a failed run, from its result: bad input is a usage error. */
  private static Failure failure(WorkflowStub stub) {
    try {
      stub.getResult(FAILURE_WAIT.toMillis(), TimeUnit.MILLISECONDS, Object.class);
    } catch (WorkflowFailedException e) {
      String type = e.getCause() instanceof ApplicationFailure app ? app.getType() : null;
      boolean exhausted = false;
      for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
        if (t instanceof ActivityFailure activity
            && activity.getRetryState() == RetryState.RETRY_STATE_MAXIMUM_ATTEMPTS_REACHED) {
          exhausted = true;
        }
      }
      return new Failure(type, exhausted);
    } catch (TimeoutException | RuntimeException e) {
      // Not known: the run's outcome decides the exit code alone.
    }
    return Failure.UNKNOWN;
  }

  /**
   * The progress the run's activities report, and those of its running child workflows (a backup's
   * verify step is a restore drill: its restore's bytes are the step's progress).
   */
  private static List<ActivityProgress> heartbeats(
      WorkflowClient client, WorkflowExecutionDescription description) {
    DataConverter converter = client.getOptions().getDataConverter();
    List<ActivityProgress> result = new ArrayList<>(heartbeats(description, converter));
    for (PendingChildExecutionInfo child :
        description.getRawDescription().getPendingChildrenList()) {
      try {
        result.addAll(
            heartbeats(client.newUntypedWorkflowStub(child.getWorkflowId()).describe(), converter));
      } catch (RuntimeException e) {
        // A child that ended meanwhile, or cannot be described: no bar this time.
      }
    }
    return result;
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
   * The exit code of the run: 0 while it runs; 2 when it failed on bad input and changed nothing;
   * then the outcome's when the run reported one, else from Temporal's status (a failed, terminated
   * or timed-out workflow is 1, a cancelled one 3).
   */
  int exitCode() {
    if (running()) {
      return ExitCodes.DONE;
    }
    if (FailureType.BAD_INPUT.name().equals(failureType) && !outcome().equals("ROLLED_BACK")) {
      return ExitCodes.USAGE;
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
