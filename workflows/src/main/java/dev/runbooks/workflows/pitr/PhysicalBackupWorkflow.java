package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Preflight, a streamed encrypted physical base backup, the wait for the WAL archive to hold its
 * stop LSN (its manifest is written then), and retention of base backups and WAL.
 */
@WorkflowInterface
public interface PhysicalBackupWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  PhysicalBackupResult run(PhysicalBackupRequest request);
}
