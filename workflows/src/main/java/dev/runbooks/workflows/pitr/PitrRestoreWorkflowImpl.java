package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.Runbook;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookWorkflowBase;
import dev.runbooks.workflows.shared.Texts;
import io.temporal.workflow.Workflow;
import java.util.List;

public class PitrRestoreWorkflowImpl extends RunbookWorkflowBase implements PitrRestoreWorkflow {
  static final List<String> STEPS = List.of("plan", "recover");

  public PitrRestoreWorkflowImpl() {
    super(RunbookKind.RESTORE);
  }

  @Override
  public PitrRestoreOutcome run(PitrRestoreRequest request) {
    runbook = new Runbook(RunbookKind.RESTORE, request.runbook(), STEPS);
    String target = request.runbook().target();
    PitrRestoreInput input =
        new PitrRestoreInput(
            target,
            request.to(),
            request.intoCluster(),
            request.port(),
            "",
            runbook.idempotencyKey("recover"));
    return runbook.run(
        () -> {
          runbook.step(
              "plan",
              () ->
                  Workflow.newActivityStub(PitrRestoreActivities.class, ActivityProfiles.QUICK_SQL)
                      .planPitrRestore(input),
              p ->
                  "base backup "
                      + p.backupId()
                      + " and "
                      + p.walFiles()
                      + " WAL files to "
                      + request.to().describe()
                      + "; window "
                      + p.window());
          return runbook.step(
              "recover",
              () ->
                  Workflow.newActivityStub(
                          PitrRestoreActivities.class,
                          ActivityProfiles.withSummary(
                              ActivityProfiles.LONG_STREAMING,
                              "PITR of " + target + " to " + request.to().describe()))
                      .restoreToPoint(input),
              o ->
                  "reached "
                      + o.reached().lsn()
                      + (o.reached().time().isEmpty() ? "" : " (" + o.reached().time() + ")")
                      + " on timeline "
                      + o.reached().timeline()
                      + " in "
                      + Texts.duration(o.duration())
                      + "; running at 127.0.0.1:"
                      + o.port());
        });
  }
}
