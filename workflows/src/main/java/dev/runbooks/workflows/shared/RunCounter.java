package dev.runbooks.workflows.shared;

import io.temporal.workflow.Workflow;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Counts {@code runbooks_runs_total{kind,target,outcome}} (runbooks/metrics.md) where the run
 * decides it: the run's start, then its outcome once it ends. Through the SDK's workflow metrics
 * scope, which drops everything while the workflow replays, so a run is counted by the worker that
 * executed that moment of it, however often and wherever its history is replayed. Not a command:
 * nothing here changes a history.
 *
 * <p>Replay-aware is not quite enough: a worker whose cache lacks the run replays it for each of
 * its workflow tasks and queries, and a workflow task that failed after counting runs again live. A
 * cache-less worker on the in-memory server once counted a start twice. So each worker also
 * remembers the runs it counted, the newest {@value #REMEMBERED}, and counts each run's start and
 * end at most once.
 */
final class RunCounter {
  static final String NAME = "runbooks_runs";
  static final String STARTED = "started";
  static final int REMEMBERED = 10_000;

  private static final Set<String> COUNTED =
      Collections.newSetFromMap(
          new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
              return size() > REMEMBERED;
            }
          });

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
    String run = Workflow.getInfo().getRunId() + "/" + outcome;
    synchronized (COUNTED) {
      if (!COUNTED.add(run)) {
        return;
      }
    }
    Workflow.getMetricsScope()
        .tagged(Map.of("kind", kind.label(), "target", target, "outcome", outcome))
        .counter(NAME)
        .inc(1);
  }
}
