package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.Workflow;
import java.util.List;

public class RestoreWorkflowImpl extends RunbookWorkflowBase implements RestoreWorkflow {
  static final List<String> STEPS = List.of("restore", "compare");

  public RestoreWorkflowImpl() {
    super(RunbookKind.RESTORE);
  }

  @Override
  public RestoreOutcome run(RestoreRequest request) {
    runbook = new Runbook(RunbookKind.RESTORE, request.runbook(), STEPS);
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
