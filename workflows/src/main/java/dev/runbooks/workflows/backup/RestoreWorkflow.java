package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Restores a backup into a new database for an incident. A failed restore drops the half-restored
 * database; an existing database is never touched.
 */
@WorkflowInterface
public interface RestoreWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  RestoreOutcome run(RestoreRequest request);
}
