package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Failures;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.util.List;

public class RestoreDrillWorkflowImpl extends RunbookWorkflowBase implements RestoreDrillWorkflow {
  /**
   * The change ID of the drill's preflight: the primary it restores on and compares against is
   * resolved among the target's members first, and a split brain or no writable member stops it.
   */
  static final String PREFLIGHT = "drill-preflight";

  static final List<String> STEPS =
      List.of(Preflight.STEP, "resolve", "restore", "compare", "verdict", "cleanup");

  private final RestoreActivities quick =
      Workflow.newActivityStub(RestoreActivities.class, ActivityProfiles.QUICK_SQL);

  public RestoreDrillWorkflowImpl() {
    super(RunbookKind.RESTORE_DRILL);
  }

  @Override
  public DrillResult run(DrillRequest request) {
    // Runs recorded before the drill had a preflight replay without it.
    boolean preflight = Workflow.getVersion(PREFLIGHT, Workflow.DEFAULT_VERSION, 1) >= 1;
    runbook =
        new Runbook(
            RunbookKind.RESTORE_DRILL,
            request.runbook(),
            preflight ? STEPS : STEPS.subList(1, STEPS.size()));
    String target = request.runbook().target();
    return runbook.run(
        () -> {
          if (preflight) {
            Preflight.run(runbook);
          }
          String backupId =
              runbook.step("resolve", () -> quick.resolveBackup(request), id -> "backup " + id);
          RestoreInput scratch =
              new RestoreInput(
                  target,
                  backupId,
                  BackupIds.scratchDatabase(runbook.workflowId()),
                  false,
                  runbook.idempotencyKey("restore"));
          runbook.onCleanup("restore", () -> quick.dropRestoredDatabase(scratch));
          RestoreOutcome restored;
          try {
            restored = restore(scratch);
          } catch (ActivityFailure e) {
            if (judgesTheBackup(e)) {
              verdict(target, backupId, false, List.of(Failures.describe(e)), Duration.ZERO);
            }
            throw e;
          }
          Comparison comparison =
              runbook.step(
                  "compare",
                  () -> quick.compareWithManifest(scratch),
                  c ->
                      c.matches()
                          ? c.tablesCompared() + " tables, " + c.rowsCompared() + " rows match"
                          : c.differences().size() + " differences");
          verdict(
              target,
              backupId,
              comparison.matches(),
              comparison.differences(),
              restored.duration());
          runbook.step(
              "cleanup",
              () -> quick.dropRestoredDatabase(scratch),
              "dropped " + scratch.database());
          runbook.settled("restore");
          if (!comparison.matches()) {
            throw FailureType.CORRUPTED_BACKUP.failure(
                "backup "
                    + backupId
                    + " restored but differs from its manifest: "
                    + String.join("; ", comparison.differences())
                    + ". Do not rely on it; take a new backup and investigate.");
          }
          return new DrillResult(backupId, true, List.of(), restored.duration());
        });
  }

  /**
   * Whether a failed restore says something about the backup itself (its bytes did not authenticate
   * or hash), so that it may become the backup's verdict. A key or configuration error, a name
   * clash or an unreachable server says nothing about the backup: recording it would turn a good
   * backup into a failed one that retention then deletes.
   */
  private static boolean judgesTheBackup(ActivityFailure e) {
    FailureType type = Failures.typeOf(e);
    return type == FailureType.CORRUPTED_BACKUP || type == FailureType.CHECKSUM_MISMATCH;
  }

  private RestoreOutcome restore(RestoreInput scratch) {
    RestoreActivities streaming =
        Workflow.newActivityStub(
            RestoreActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.LONG_STREAMING,
                "restore backup " + scratch.backupId() + " into " + scratch.database()));
    return runbook.step(
        "restore",
        () -> streaming.restoreBackup(scratch),
        r ->
            r.bytes()
                + " bytes restored into "
                + r.database()
                + " in "
                + Texts.duration(r.duration()));
  }

  private void verdict(
      String target, String backupId, boolean passed, List<String> differences, Duration took) {
    DrillVerdictInput verdict =
        new DrillVerdictInput(target, backupId, passed, differences, took, runbook.workflowId());
    runbook.step(
        "verdict",
        () -> quick.recordDrillVerdict(verdict),
        (passed ? "PASS" : "FAIL") + " recorded beside the manifest");
  }
}
