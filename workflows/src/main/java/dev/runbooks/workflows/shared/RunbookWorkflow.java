package dev.runbooks.workflows.shared;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;

/**
 * The contract every runbook's workflow interface extends: its progress, and approval of the step
 * it waits on. Cancelling the workflow (CLI {@code abort}, or Cancel in the Temporal UI) aborts it
 * with compensation.
 */
public interface RunbookWorkflow {
  String PROGRESS = "progress";
  String APPROVE = "approve";

  @QueryMethod(name = PROGRESS)
  RunbookProgress progress();

  @UpdateMethod(name = APPROVE)
  void approve(Approval approval);

  /** Rejects an approval when nothing waits, or when four-eyes is on and the initiator approves. */
  @UpdateValidatorMethod(updateName = APPROVE)
  void validateApprove(Approval approval);
}
