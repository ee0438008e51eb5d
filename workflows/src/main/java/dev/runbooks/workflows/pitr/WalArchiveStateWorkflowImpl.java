package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.ActivityProfiles;
import io.temporal.workflow.Workflow;

public class WalArchiveStateWorkflowImpl implements WalArchiveStateWorkflow {
  @Override
  public WalArchiveState describe(String target) {
    return Workflow.newActivityStub(
            WalArchiverActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.QUICK_SQL, "read the WAL archive of " + target))
        .describeWalArchive(target);
  }
}
