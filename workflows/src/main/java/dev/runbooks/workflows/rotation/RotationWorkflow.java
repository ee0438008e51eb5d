package dev.runbooks.workflows.rotation;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Credential rotation: preflight, prepare the logins, renew one (tested with a real login, then
 * published with check-and-set), wait out the grace period, expire the previous login.
 */
@WorkflowInterface
public interface RotationWorkflow extends RunbookWorkflow {
  @WorkflowMethod
  RotationResult run(RotationRequest request);
}
