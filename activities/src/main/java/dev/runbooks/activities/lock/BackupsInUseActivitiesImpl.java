package dev.runbooks.activities.lock;

import dev.runbooks.workflows.backup.BackupReferences;
import dev.runbooks.workflows.backup.BackupsInUseActivities;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import java.util.List;
import java.util.Set;

/**
 * Asks the run that holds a target's lock which backups it depends on. Only a migration references
 * backups (the copy it rehearses on, the backup it takes first), and a migration always holds its
 * target's lock while it runs: so the lock's holder is the one run to ask.
 */
public class BackupsInUseActivitiesImpl implements BackupsInUseActivities {
  /** The runbooks whose workflows answer {@link BackupReferences#QUERY}. */
  static final Set<RunbookKind> REFERENCING = Set.of(RunbookKind.MIGRATE);

  private final WorkflowClient client;

  public BackupsInUseActivitiesImpl(WorkflowClient client) {
    this.client = client;
  }

  @Override
  public List<String> backupsInUse(String target) {
    LockHolder holder;
    try {
      holder =
          client
              .newWorkflowStub(TargetLockWorkflow.class, TargetLockWorkflow.workflowId(target))
              .holder();
    } catch (WorkflowNotFoundException neverLocked) {
      return List.of();
    }
    if (holder == null || !REFERENCING.contains(holder.kind()) || !isOpen(holder)) {
      return List.of();
    }
    // A failing query (the holder's worker is down) fails the activity, which retries: guessing
    // "nothing in use" could delete the backup a migration is about to need.
    String[] ids =
        client
            .newUntypedWorkflowStub(holder.holderWorkflowId())
            .query(BackupReferences.QUERY, String[].class);
    return ids == null ? List.of() : List.of(ids);
  }

  private boolean isOpen(LockHolder holder) {
    try {
      return client.newUntypedWorkflowStub(holder.holderWorkflowId()).describe().getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException gone) {
      return false;
    }
  }
}
