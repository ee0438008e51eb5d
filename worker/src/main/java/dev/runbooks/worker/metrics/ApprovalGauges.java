package dev.runbooks.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The gauges of the open runs, per target, reading the listing of the latest scrape: the runs
 * waiting for approval and the longest wait, and whether the target's lock is held. Every
 * configured target has them (0 when nothing waits or holds it), so an alert on them has a series
 * from the start. Names in runbooks/metrics.md.
 */
final class ApprovalGauges {
  private final MeterRegistry registry;
  private final OpenRuns runs;
  private final Clock clock;
  private final Set<String> bound = ConcurrentHashMap.newKeySet();
  private volatile OpenRuns.Snapshot latest = OpenRuns.Snapshot.NONE;

  ApprovalGauges(MeterRegistry registry, OpenRuns runs, Clock clock) {
    this.registry = registry;
    this.runs = runs;
    this.clock = clock;
    Gauge.builder("runbooks_runs_error", this, g -> g.latest.error() == null ? 0 : 1)
        .description("1 when the latest listing of the open runs failed or was incomplete")
        .register(registry);
  }

  /** Reads the open runs (within their budget) and binds the gauges of targets not seen before. */
  void update(Set<String> configuredTargets) {
    latest = runs.current();
    Set<String> targets = new TreeSet<>(configuredTargets);
    targets.addAll(latest.targets());
    for (String target : targets) {
      if (bound.add(target)) {
        bind(target);
      }
    }
  }

  private void bind(String target) {
    gauge(
        target,
        "runbooks_approval_waiting_runs",
        "Runs waiting for approval",
        s -> s.waiting().stream().filter(w -> w.target().equals(target)).count());
    gauge(
        target,
        "runbooks_approval_waiting_seconds",
        "How long the run waiting longest for approval has waited; 0 when none waits",
        s -> longestWait(s, target));
    gauge(
        target,
        "runbooks_target_lock_held",
        "1 while a run holds the target's lock",
        s -> s.locked().contains(target) ? 1 : 0);
  }

  private double longestWait(OpenRuns.Snapshot snapshot, String target) {
    Instant now = clock.instant();
    double longest = 0;
    for (OpenRuns.Waiting w : snapshot.waiting()) {
      if (w.target().equals(target) && w.since() != null) {
        longest = Math.max(longest, Duration.between(w.since(), now).toNanos() / 1e9);
      }
    }
    return longest;
  }

  private void gauge(
      String target, String name, String help, ToDoubleFunction<OpenRuns.Snapshot> value) {
    Gauge.builder(name, this, g -> value.applyAsDouble(g.latest))
        .description(help)
        .tag("target", target)
        .register(registry);
  }
}
