package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

public class PitrDrillWorkflowImpl extends RunbookWorkflowBase implements PitrDrillWorkflow {
  static final List<String> STEPS = List.of("marker", "archived", "restore", "verdict");

  /**
   * A cron workflow (the stand-in for a Schedule) keeps its workflow ID across runs: each run names
   * its markers and restore point after its own start, else a later run would find the first run's
   * markers and restore to its restore point.
   */
  static final String DRILL_ID_PER_CRON_RUN = "drill-id-per-cron-run";

  /** PostgreSQL's longest restore point name. */
  static final int MAX_DRILL_ID = 63;

  private static final DateTimeFormatter RUN_STAMP =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

  private final PitrDrillActivities quick =
      Workflow.newActivityStub(PitrDrillActivities.class, ActivityProfiles.QUICK_SQL);

  public PitrDrillWorkflowImpl() {
    super(RunbookKind.RESTORE_DRILL);
  }

  @Override
  public PitrDrillResult run(PitrDrillRequest request) {
    runbook = new Runbook(RunbookKind.RESTORE_DRILL, request.runbook(), STEPS);
    String drillId = drillId();
    PitrDrillInput input =
        new PitrDrillInput(
            request.runbook().target(),
            drillId,
            drillId.equals(runbook.workflowId())
                ? runbook.idempotencyKey("marker")
                : drillId + "/marker");
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

  /** The workflow ID; for a cron run, the workflow ID and the run's start, within 63 chars. */
  private String drillId() {
    String workflowId = runbook.workflowId();
    String cron = Workflow.getInfo().getCronSchedule();
    if (cron == null
        || cron.isEmpty()
        || Workflow.getVersion(DRILL_ID_PER_CRON_RUN, Workflow.DEFAULT_VERSION, 1)
            == Workflow.DEFAULT_VERSION) {
      return workflowId;
    }
    String stamp = "-" + RUN_STAMP.format(Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    return workflowId.substring(0, Math.min(workflowId.length(), MAX_DRILL_ID - stamp.length()))
        + stamp;
  }

  private static PitrDrillActivities streaming(String summary) {
    return Workflow.newActivityStub(
        PitrDrillActivities.class,
        ActivityProfiles.withSummary(ActivityProfiles.LONG_STREAMING, summary));
  }
}
