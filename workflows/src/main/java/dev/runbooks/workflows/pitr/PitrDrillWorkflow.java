package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Proves point-in-time recovery works: a marker and a restore point on the primary, the wait for
 * the archive to hold them, a restore to that point into a scratch cluster on the worker's host
 * with its checks, and the verdict with its RTO and RPO beside the base backup.
 */
@WorkflowInterface
public interface PitrDrillWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  PitrDrillResult run(PitrDrillRequest request);
}
