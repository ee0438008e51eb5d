package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.backup.BackupIds;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import io.temporal.workflow.Workflow;
import java.util.List;

public class PhysicalBackupWorkflowImpl extends RunbookWorkflowBase
    implements PhysicalBackupWorkflow {
  static final List<String> STEPS = List.of(Preflight.STEP, "base backup", "wal", "retention");

  public PhysicalBackupWorkflowImpl() {
    super(RunbookKind.BACKUP);
  }

  @Override
  public PhysicalBackupResult run(PhysicalBackupRequest request) {
    runbook = new Runbook(RunbookKind.BACKUP, request.runbook(), STEPS);
    String target = request.runbook().target();
    String backupId = BackupIds.next();
    return runbook.run(
        () -> {
          Preflight.run(runbook);
          BackupInput input =
              new BackupInput(target, backupId, runbook.idempotencyKey("base backup"));
          runbook.onCleanup("base backup", () -> quick().discardIncompleteBaseBackup(input));
          runbook.step(
              "base backup",
              () -> streaming("pg_basebackup " + target + " -> " + backupId).takeBaseBackup(input),
              s ->
                  "base backup "
                      + s.backupId()
                      + ": "
                      + s.ciphertextBytes()
                      + " bytes encrypted at "
                      + s.location()
                      + ", WAL "
                      + s.startLsn()
                      + " to "
                      + s.stopLsn()
                      + " on timeline "
                      + s.timeline());
          BaseBackupSummary complete =
              runbook.step(
                  "wal",
                  () ->
                      streaming("wait for the archive to hold the WAL of " + backupId)
                          .completeBaseBackup(input),
                  s -> "the archive holds the WAL up to " + s.stopLsn() + ": complete");
          runbook.settled("base backup");
          RetentionInput retention =
              new RetentionInput(
                  target,
                  request.retention(),
                  List.of(backupId),
                  runbook.idempotencyKey("retention"));
          PitrRetentionOutcome pruned =
              runbook.step(
                  "retention",
                  () -> quick().applyPitrRetention(retention),
                  r ->
                      "deleted "
                          + r.deleted().size()
                          + " base backups and "
                          + r.walObjectsDeleted()
                          + " WAL objects, kept "
                          + r.kept().size());
          return new PhysicalBackupResult(complete, pruned);
        });
  }

  private static PhysicalBackupActivities streaming(String summary) {
    return Workflow.newActivityStub(
        PhysicalBackupActivities.class,
        ActivityProfiles.withSummary(ActivityProfiles.LONG_STREAMING, summary));
  }

  private static PhysicalBackupActivities quick() {
    return Workflow.newActivityStub(PhysicalBackupActivities.class, ActivityProfiles.QUICK_SQL);
  }
}
