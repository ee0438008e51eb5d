package dev.runbooks.workflows.shared;

import io.temporal.workflow.Workflow;
import java.util.Locale;
import java.util.Map;

/**
 * Counts {@code runbooks_runs_total{kind,target,outcome}} (runbooks/metrics.md) where the run
 * decides it: the run's start, then its outcome once it ends. Through the SDK's workflow metrics
 * scope, which drops everything while the workflow replays: a run is counted once, by the worker
 * that executed that moment of it, however often and wherever its history is replayed. Not a
 * command: nothing here changes a history.
 */
final class RunCounter {
  static final String NAME = "runbooks_runs";
  static final String STARTED = "started";

  private RunCounter() {}

  static void started(RunbookKind kind, String target) {
    count(kind, target, STARTED);
  }

  /** The outcome of a run that ended: succeeded, failed, rolled_back or aborted. */
  static void ended(RunbookKind kind, String target, Outcome outcome) {
    if (outcome.finished()) {
      count(kind, target, outcome.name().toLowerCase(Locale.ROOT));
    }
  }

  private static void count(RunbookKind kind, String target, String outcome) {
    Workflow.getMetricsScope()
        .tagged(Map.of("kind", kind.label(), "target", target, "outcome", outcome))
        .counter(NAME)
        .inc(1);
  }
}
