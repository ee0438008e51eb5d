package dev.runbooks.activities.contract;

import dev.runbooks.workflows.backup.BackupReferences;
import dev.runbooks.workflows.shared.RunbookRequest;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * A small mutating runbook in test code that uses every part of the contract the check runbook does
 * not: the target lock, compensation, and the approval gate.
 */
@WorkflowInterface
public interface GatedWorkflow extends RunbookWorkflow, BackupReferences {
  /** The backup every gated run says it depends on, as a migration names its rehearsal's. */
  String REFERENCED_BACKUP = "20261120T020000Z-aaaa";

  record Request(RunbookRequest runbook) {}

  @WorkflowMethod
  String run(Request request);
}
