package dev.runbooks.workflows.pitr;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Reads a target's WAL archive state on a worker, where the repository's credentials are: what
 * {@code runbook archive status} and {@code runbook backups} show. Read-only, one activity.
 */
@WorkflowInterface
public interface WalArchiveStateWorkflow {
  @WorkflowMethod
  WalArchiveState describe(String target);
}
