package dev.runbooks.workflows.backup;

import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Reads a target's backup listing on a worker, where the repository's credentials are; the CLI's
 * {@code backups} command runs it. Read-only, one activity.
 */
@WorkflowInterface
public interface BackupCatalogWorkflow {
  @WorkflowMethod
  BackupCatalog list(String target);
}
