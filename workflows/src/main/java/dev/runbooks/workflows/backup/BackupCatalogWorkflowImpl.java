package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.ActivityProfiles;
import io.temporal.workflow.Workflow;

public class BackupCatalogWorkflowImpl implements BackupCatalogWorkflow {
  @Override
  public BackupCatalog list(String target) {
    return Workflow.newActivityStub(
            BackupActivities.class,
            ActivityProfiles.withSummary(ActivityProfiles.QUICK_SQL, "list backups of " + target))
        .listBackups(target);
  }
}
