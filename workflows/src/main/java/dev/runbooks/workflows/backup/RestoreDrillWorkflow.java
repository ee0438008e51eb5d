package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Proves a backup restores: restores it into a scratch database named after the run, compares it
 * with the manifest, records the verdict beside the backup, and drops the scratch database (also on
 * failure). A failed drill ends the run FAILED with the differences.
 */
@WorkflowInterface
public interface RestoreDrillWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  DrillResult run(DrillRequest request);
}
