package dev.runbooks.worker.metrics;

import dev.runbooks.worker.StepInterceptor;
import dev.runbooks.workflows.shared.RunbookKind;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.activity.ActivityInfo;
import java.time.Duration;
import java.util.Map;

/**
 * {@code runbooks_step_duration_seconds{kind,step,outcome}}: how long each step (activity attempt)
 * took on this worker, by the runbook it ran for, its activity type and whether it succeeded. A
 * step only runs on the worker that times it, so nothing is counted twice; a retried step gives one
 * sample per attempt. Recorded here rather than through the SDK's metrics scope, whose Micrometer
 * reporter drops histograms.
 */
final class StepTimer extends StepInterceptor {
  static final String NAME = "runbooks_step_duration";

  /** From a quick SQL check to a dump of hours: the buckets of the histogram. */
  private static final Duration[] BUCKETS = {
    Duration.ofMillis(100),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofSeconds(5),
    Duration.ofSeconds(15),
    Duration.ofSeconds(60),
    Duration.ofMinutes(5),
    Duration.ofMinutes(15),
    Duration.ofHours(1),
    Duration.ofHours(3)
  };

  /** Each runbook's workflow types, by the name Temporal gives them (the interface's). */
  private static final Map<String, RunbookKind> KINDS =
      Map.of(
          "CheckWorkflow", RunbookKind.CHECK,
          "BackupWorkflow", RunbookKind.BACKUP,
          "PhysicalBackupWorkflow", RunbookKind.BACKUP,
          "RestoreDrillWorkflow", RunbookKind.RESTORE_DRILL,
          "PitrDrillWorkflow", RunbookKind.RESTORE_DRILL,
          "RestoreWorkflow", RunbookKind.RESTORE,
          "PitrRestoreWorkflow", RunbookKind.RESTORE,
          "MigrationWorkflow", RunbookKind.MIGRATE,
          "RotationWorkflow", RunbookKind.ROTATE,
          "FailoverWorkflow", RunbookKind.FAILOVER);

  private final MeterRegistry registry;

  StepTimer(MeterRegistry registry) {
    this.registry = registry;
  }

  /** The runbook's kind; for a workflow that is no runbook (the target lock), its type. */
  static String kind(String workflowType) {
    RunbookKind kind = KINDS.get(workflowType);
    return kind == null ? workflowType : kind.label();
  }

  @Override
  protected void ended(ActivityInfo info, Duration took, Throwable failure) {
    Timer.builder(NAME)
        .description("How long each step (activity attempt) took")
        .tag("kind", kind(info.getWorkflowType()))
        .tag("step", info.getActivityType())
        .tag("outcome", failure == null ? "succeeded" : "failed")
        .serviceLevelObjectives(BUCKETS)
        .register(registry)
        .record(took);
  }
}
