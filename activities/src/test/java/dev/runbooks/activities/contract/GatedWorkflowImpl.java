package dev.runbooks.activities.contract;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.TargetLockActivities;
import io.temporal.workflow.Workflow;
import java.util.List;

public class GatedWorkflowImpl extends RunbookWorkflowBase implements GatedWorkflow {
  public GatedWorkflowImpl() {
    super(RunbookKind.MIGRATE);
  }

  private final GatedActivities activities =
      Workflow.newActivityStub(GatedActivities.class, ActivityProfiles.QUICK_SQL);
  private final TargetLockActivities locks =
      Workflow.newActivityStub(TargetLockActivities.class, ActivityProfiles.TARGET_LOCK);

  @Override
  public List<String> referencedBackups() {
    return List.of(REFERENCED_BACKUP);
  }

  @Override
  public String run(Request request) {
    runbook =
        new Runbook(
            RunbookKind.MIGRATE,
            request.runbook(),
            List.of("lock", "prepare", "approval", "apply"));
    return runbook.run(
        () -> {
          runbook.step("lock", () -> runbook.lockTarget(locks), "held");
          runbook.onRollback(
              "prepare", () -> activities.undoPrepareChange(runbook.idempotencyKey("prepare")));
          runbook.step(
              "prepare", () -> activities.prepareChange(runbook.idempotencyKey("prepare")), "ok");
          runbook.awaitApproval("approval");
          runbook.step(
              "apply", () -> activities.applyChange(runbook.idempotencyKey("apply")), "ok");
          return "done";
        });
  }
}
