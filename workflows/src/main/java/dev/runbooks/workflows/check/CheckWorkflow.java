package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * The health report an on-call engineer runs first. Read-only. The run's outcome is FAILED (exit
 * code 1) when any finding is critical; the report is its result either way.
 */
@WorkflowInterface
public interface CheckWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  CheckResult run(CheckRequest request);
}
