package dev.runbooks.workflows.pitr;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.SignalMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A target's continuous WAL archiver: runs until stopped, one streaming session after another (each
 * a heartbeating activity, retried on another worker when its worker dies), continuing as new every
 * few sessions so its history stays short. One per target, under {@link #workflowId}.
 */
@WorkflowInterface
public interface WalArchiverWorkflow {
  /** How many gaps the status keeps, newest last. */
  int GAPS_KEPT = 20;

  /** The one archiver of a target runs under this id. */
  static String workflowId(String target) {
    return "archive-" + target;
  }

  @WorkflowMethod
  void run(ArchiverRequest request);

  /** Ends the archiver after the running session has stored what it received. */
  @SignalMethod
  void stop(String reason);

  @QueryMethod
  ArchiverStatus status();
}
