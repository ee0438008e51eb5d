package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

public class PitrDrillWorkflowImpl extends RunbookWorkflowBase implements PitrDrillWorkflow {
  static final List<String> STEPS = List.of("marker", "archived", "restore", "verdict");

  private final PitrDrillActivities quick =
      Workflow.newActivityStub(PitrDrillActivities.class, ActivityProfiles.QUICK_SQL);

  public PitrDrillWorkflowImpl() {
    super(RunbookKind.RESTORE_DRILL);
  }

  @Override
  public PitrDrillResult run(PitrDrillRequest request) {
    runbook = new Runbook(RunbookKind.RESTORE_DRILL, request.runbook(), STEPS);
    PitrDrillInput input =
        new PitrDrillInput(
            request.runbook().target(), runbook.workflowId(), runbook.idempotencyKey("marker"));
    return runbook.run(
        () -> {
          PitrMarker marker =
              runbook.step(
                  "marker",
                  () -> quick.writeDrillMarker(input),
                  m -> "restore point " + m.restorePoint() + " at " + m.restorePointLsn());
          PitrDrillRun run = new PitrDrillRun(input, marker);
          Duration rpo =
              runbook.step(
                  "archived",
                  () -> streaming("wait for the archive").awaitDrillArchived(run),
                  lag -> "the archive holds it " + Texts.duration(lag) + " after it was written");
          PitrDrillCheck check =
              runbook.step(
                  "restore",
                  () -> streaming("PITR to " + marker.restorePoint()).drillPointInTime(run),
                  c ->
                      (c.differences().isEmpty()
                              ? "proven"
                              : c.differences().size() + " differences")
                          + ": base backup "
                          + c.backupId()
                          + " to "
                          + c.reached().lsn()
                          + " in "
                          + Texts.duration(c.rto()));
          runbook.step(
              "verdict",
              () -> quick.recordPitrVerdict(new PitrVerdictInput(input, check, rpo)),
              "recorded beside base backup " + check.backupId());
          if (!check.differences().isEmpty()) {
            throw FailureType.VERIFICATION_FAILED.failure(
                "the point-in-time restore of base backup "
                    + check.backupId()
                    + " to restore point "
                    + marker.restorePoint()
                    + " differs from the primary: "
                    + String.join("; ", check.differences())
                    + ". Do not rely on point-in-time recovery of this target until a drill"
                    + " passes; investigate the archive and the base backup");
          }
          return new PitrDrillResult(
              check.backupId(), true, List.of(), check.reached(), check.rto(), rpo);
        });
  }

  private static PitrDrillActivities streaming(String summary) {
    return Workflow.newActivityStub(
        PitrDrillActivities.class,
        ActivityProfiles.withSummary(ActivityProfiles.LONG_STREAMING, summary));
  }
}
