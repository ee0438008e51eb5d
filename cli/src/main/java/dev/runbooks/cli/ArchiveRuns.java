package dev.runbooks.cli;

import dev.runbooks.workflows.pitr.ArchiverRequest;
import dev.runbooks.workflows.pitr.ArchiverStatus;
import dev.runbooks.workflows.pitr.WalArchiveState;
import dev.runbooks.workflows.pitr.WalArchiveStateWorkflow;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import java.time.Clock;
import java.time.Duration;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Starting, stopping and asking a target's WAL archiver, and reading its archive's state. */
final class ArchiveRuns {
  static final Duration STATE_TIMEOUT = Duration.ofMinutes(2);

  private static final DateTimeFormatter STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss").withZone(java.time.ZoneOffset.UTC);

  private ArchiveRuns() {}

  /**
   * Starts the archiver of {@code target}.
   *
   * @return false when it runs already
   */
  static boolean start(WorkflowClient client, String taskQueue, String target, String initiator) {
    WalArchiverWorkflow archiver =
        client.newWorkflowStub(
            WalArchiverWorkflow.class,
            WorkflowOptions.newBuilder()
                .setWorkflowId(WalArchiverWorkflow.workflowId(target))
                .setTaskQueue(taskQueue)
                .setStaticSummary("WAL archiver of " + target)
                .build());
    try {
      WorkflowClient.start(archiver::run, ArchiverRequest.start(target, initiator));
      return true;
    } catch (WorkflowExecutionAlreadyStarted e) {
      return false;
    }
  }

  /** Whether the target ever had an archiver (running or ended) that Temporal still knows. */
  static boolean known(WorkflowClient client, String target) {
    try {
      client.newUntypedWorkflowStub(WalArchiverWorkflow.workflowId(target)).describe();
      return true;
    } catch (WorkflowNotFoundException e) {
      return false;
    }
  }

  /** The running archiver's status; empty when none runs. */
  static Optional<ArchiverStatus> status(WorkflowClient client, String target) {
    String id = WalArchiverWorkflow.workflowId(target);
    try {
      WorkflowStub stub = client.newUntypedWorkflowStub(id);
      if (stub.describe().getStatus()
          != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
        return Optional.empty();
      }
      return Optional.of(client.newWorkflowStub(WalArchiverWorkflow.class, id).status());
    } catch (WorkflowNotFoundException e) {
      return Optional.empty();
    }
  }

  /**
   * Asks the archiver to stop and waits until it has.
   *
   * @return false when none was running
   */
  static boolean stop(WorkflowClient client, String target, String reason, Duration wait) {
    if (status(client, target).isEmpty()) {
      return false;
    }
    String id = WalArchiverWorkflow.workflowId(target);
    client.newWorkflowStub(WalArchiverWorkflow.class, id).stop(reason);
    try {
      client
          .newUntypedWorkflowStub(id)
          .getResult(wait.toMillis(), TimeUnit.MILLISECONDS, Void.class);
    } catch (TimeoutException e) {
      throw new UsageException(
          "the archiver of "
              + target
              + " was asked to stop but has not within "
              + Text.duration(wait)
              + ": its session ends when its worker next heartbeats; see 'runbook status "
              + id
              + "'.");
    }
    return true;
  }

  /** The archive's state, read by a worker. */
  static WalArchiveState state(
      WorkflowClient client, String taskQueue, String target, Clock clock) {
    String id = "archive-state-" + target + "-" + STAMP.format(clock.instant());
    WorkflowOptions options =
        WorkflowOptions.newBuilder()
            .setWorkflowId(id)
            .setTaskQueue(taskQueue)
            .setWorkflowExecutionTimeout(STATE_TIMEOUT.plusSeconds(30))
            .setStaticSummary("WAL archive of " + target)
            .build();
    WalArchiveStateWorkflow workflow =
        client.newWorkflowStub(WalArchiveStateWorkflow.class, options);
    try {
      WorkflowClient.start(workflow::describe, target);
    } catch (WorkflowExecutionAlreadyStarted e) {
      // Asked twice in one second: the running answer is this one's too.
    }
    try {
      return client
          .newUntypedWorkflowStub(id)
          .getResult(STATE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS, WalArchiveState.class);
    } catch (TimeoutException e) {
      throw new UsageException(
          "no worker read the WAL archive of "
              + target
              + " within "
              + Text.duration(STATE_TIMEOUT)
              + " ("
              + id
              + "): start one on task queue "
              + taskQueue
              + " ('runbook worker' or 'runbook dev').");
    } catch (WorkflowFailedException e) {
      throw new UsageException(
          "reading the WAL archive of "
              + target
              + " failed: "
              + RunState.rootMessage(e)
              + ". See 'runbook status "
              + id
              + "' and the worker's log.");
    }
  }
}
