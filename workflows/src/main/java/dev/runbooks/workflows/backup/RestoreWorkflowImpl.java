package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.check.Preflight;
import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.Workflow;
import java.util.List;

public class RestoreWorkflowImpl extends RunbookWorkflowBase implements RestoreWorkflow {
  /**
   * The change ID of the restore's preflight: the primary it creates the database on is resolved
   * among the target's members first, and a split brain or no writable member stops it.
   */
  static final String PREFLIGHT = "restore-preflight";

  static final List<String> STEPS = List.of(Preflight.STEP, "restore", "compare");

  public RestoreWorkflowImpl() {
    super(RunbookKind.RESTORE);
  }

  @Override
  public RestoreOutcome run(RestoreRequest request) {
    // Runs recorded before the restore had a preflight replay without it.
    boolean preflight = Workflow.getVersion(PREFLIGHT, Workflow.DEFAULT_VERSION, 1) >= 1;
    runbook =
        new Runbook(
            RunbookKind.RESTORE,
            request.runbook(),
            preflight ? STEPS : STEPS.subList(1, STEPS.size()));
    RestoreInput into =
        new RestoreInput(
            request.runbook().target(),
            request.backupId(),
            request.database(),
            true,
            runbook.idempotencyKey("restore"));
    RestoreActivities streaming =
        Workflow.newActivityStub(
            RestoreActivities.class,
            ActivityProfiles.withSummary(
                ActivityProfiles.LONG_STREAMING,
                "restore backup " + request.backupId() + " into " + request.database()));
    RestoreActivities quick =
        Workflow.newActivityStub(RestoreActivities.class, ActivityProfiles.QUICK_SQL);
    return runbook.run(
        () -> {
          if (preflight) {
            Preflight.run(runbook);
          }
          // The activity drops only a database it created itself (it marks it), never one that
          // existed before.
          runbook.onRollback("restore", () -> quick.dropRestoredDatabase(into));
          RestoreOutcome restored =
              runbook.step(
                  "restore",
                  () -> streaming.restoreBackup(into),
                  r ->
                      r.bytes()
                          + " bytes restored into "
                          + r.database()
                          + " in "
                          + Texts.duration(r.duration()));
          runbook.step(
              "compare",
              () -> quick.compareWithManifest(into),
              c ->
                  c.matches()
                      ? c.tablesCompared() + " tables match the backup's manifest"
                      : "differs from the manifest: " + String.join("; ", c.differences()));
          runbook.settled("restore");
          return restored;
        });
  }
}
