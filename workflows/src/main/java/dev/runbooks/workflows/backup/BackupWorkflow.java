package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Preflight, an encrypted streamed dump with its manifest, verification by a restore drill (a child
 * workflow), and retention.
 */
@WorkflowInterface
public interface BackupWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  BackupResult run(BackupRequest request);
}
