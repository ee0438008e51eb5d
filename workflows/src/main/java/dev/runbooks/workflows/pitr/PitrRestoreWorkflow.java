package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A point-in-time restore into a new cluster on the worker's host: plan (base backup, WAL, the
 * window), then fetch, recover to the target and promote.
 */
@WorkflowInterface
public interface PitrRestoreWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  PitrRestoreOutcome run(PitrRestoreRequest request);
}
