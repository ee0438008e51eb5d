package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookIds;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.ChildWorkflowOptions;
import io.temporal.workflow.Workflow;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

public class BackupWorkflowImpl extends RunbookWorkflowBase implements BackupWorkflow {
  /** The change ID of retention keeping the backups an open migration depends on. */
  static final String KEEPS_BACKUPS_IN_USE = "retention-keeps-backups-in-use";

  static final List<String> STEPS = List.of(Preflight.STEP, "dump", "verify", "retention");

  public BackupWorkflowImpl() {
    super(RunbookKind.BACKUP);
  }

  @Override
  public BackupResult run(BackupRequest request) {
    runbook = new Runbook(RunbookKind.BACKUP, request.runbook(), STEPS);
    String target = request.runbook().target();
    String backupId = BackupIds.next();
    return runbook.run(
        () -> {
          Preflight.run(runbook);
          BackupSummary backup = dump(target, backupId);
          DrillResult drill = null;
          if (request.verify()) {
            drill = verify(request, backupId);
          } else {
            runbook.skip("verify", "--no-verify: this backup has no drill verdict yet");
          }
          List<String> pruned = retention(request, target, backupId);
          return new BackupResult(backup, drill, pruned);
        });
  }

  private BackupSummary dump(String target, String backupId) {
    BackupActivities activities =
        Workflow.newActivityStub(
            BackupActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.LONG_STREAMING, "pg_dump " + target + " -> backup " + backupId));
    BackupInput input = new BackupInput(target, backupId, runbook.idempotencyKey("dump"));
    runbook.onCleanup("dump", () -> quick().discardIncompleteBackup(input));
    BackupSummary summary =
        runbook.step(
            "dump",
            () -> activities.dumpDatabase(input),
            s ->
                "backup "
                    + s.backupId()
                    + ": "
                    + s.tables()
                    + " tables, "
                    + s.rows()
                    + " rows, "
                    + s.ciphertextBytes()
                    + " bytes encrypted at "
                    + s.location()
                    + (s.newKeyset() == null ? "" : "; " + s.newKeysetNotice()));
    // A backup with its manifest is complete: nothing to undo whatever happens next.
    runbook.settled("dump");
    return summary;
  }

  private DrillResult verify(BackupRequest request, String backupId) {
    String drillId =
        RunbookIds.workflowId(
            RunbookKind.RESTORE_DRILL,
            request.runbook().target(),
            Instant.ofEpochMilli(Workflow.currentTimeMillis()));
    RestoreDrillWorkflow drill =
        Workflow.newChildWorkflowStub(
            RestoreDrillWorkflow.class,
            ChildWorkflowOptions.newBuilder()
                .setWorkflowId(drillId)
                .setStaticSummary("restore drill of backup " + backupId)
                .build());
    return runbook.step(
        "verify",
        () -> drill.run(new DrillRequest(request.runbook(), backupId)),
        d -> "drill " + drillId + " passed: restored in " + Texts.duration(d.restoreDuration()));
  }

  private List<String> retention(BackupRequest request, String target, String backupId) {
    List<String> keep = new ArrayList<>(List.of(backupId));
    // Runs recorded before retention asked which backups are in use replay without the question.
    if (Workflow.getVersion(KEEPS_BACKUPS_IN_USE, Workflow.DEFAULT_VERSION, 1) >= 1) {
      for (String inUse : quickInUse().backupsInUse(target)) {
        if (!keep.contains(inUse)) {
          keep.add(inUse);
        }
      }
    }
    RetentionInput input =
        new RetentionInput(target, request.retention(), keep, runbook.idempotencyKey("retention"));
    RetentionOutcome outcome =
        runbook.step(
            "retention",
            () -> quick().applyRetention(input),
            r -> "deleted " + r.deleted().size() + ", kept " + r.kept().size());
    return outcome.deleted();
  }

  private BackupsInUseActivities quickInUse() {
    return Workflow.newActivityStub(BackupsInUseActivities.class, ActivityProfiles.QUICK_SQL);
  }

  private BackupActivities quick() {
    return Workflow.newActivityStub(BackupActivities.class, ActivityProfiles.QUICK_SQL);
  }
}
