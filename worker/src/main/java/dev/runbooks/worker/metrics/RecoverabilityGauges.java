package dev.runbooks.worker.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * The recoverability gauges, one set per target, reading the figures of the latest scrape. A time
 * that never happened (no backup, none verified) is 0, so {@code time() - x} is huge and an alert
 * on age fires; a figure that does not exist (never drilled) is NaN. Names in runbooks/metrics.md.
 */
final class RecoverabilityGauges {
  private final MeterRegistry registry;
  private final Map<String, List<Meter>> bound = new ConcurrentHashMap<>();
  private volatile Map<String, RecoverabilityCache.Entry> latest = Map.of();

  RecoverabilityGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Binds the targets listed for the first time, and removes those no longer configured. */
  synchronized void update(Map<String, RecoverabilityCache.Entry> entries) {
    latest = Map.copyOf(entries);
    for (String target : List.copyOf(bound.keySet())) {
      if (!entries.containsKey(target)) {
        bound.remove(target).forEach(registry::remove);
      }
    }
    for (String target : entries.keySet()) {
      bound.computeIfAbsent(
          target,
          t -> {
            List<Meter> meters = new ArrayList<>();
            bind(t, meters);
            return List.copyOf(meters);
          });
    }
  }

  private void bind(String target, List<Meter> meters) {
    gauge(
        meters,
        target,
        "runbooks_recoverability_error",
        "1 when the repository could not be listed",
        e -> e == null || e.error() != null ? 1 : 0);
    figure(
        meters,
        target,
        "runbooks_backup_newest_timestamp_seconds",
        "Newest complete backup's start",
        f -> seconds(f.newestBackup()));
    figure(
        meters,
        target,
        "runbooks_backup_newest_verified_timestamp_seconds",
        "Newest backup whose latest drill passed",
        f -> seconds(f.newestVerified()));
    figure(
        meters,
        target,
        "runbooks_backups",
        "Complete backups in the repository",
        f -> f.completeBackups());
    figure(
        meters,
        target,
        "runbooks_repository_bytes",
        "Bytes of the complete backups",
        f -> f.repositoryBytes());
    figure(
        meters,
        target,
        "runbooks_backup_freshness_limit_seconds",
        "The target's backupFreshness",
        f -> seconds(f.freshnessLimit()));
    figure(
        meters,
        target,
        "runbooks_drill_last_passed",
        "1 when the latest drill passed, 0 when failed",
        f -> f.drillPassed() == null ? Double.NaN : f.drillPassed() ? 1 : 0);
    figure(
        meters,
        target,
        "runbooks_drill_last_timestamp_seconds",
        "When the latest drill ran",
        f -> f.drilledAt() == null ? Double.NaN : seconds(f.drilledAt()));
    figure(
        meters,
        target,
        "runbooks_drill_last_restore_duration_seconds",
        "The latest drill's measured restore time",
        f -> seconds(f.drillRestore()));
    figure(
        meters,
        target,
        "runbooks_wal_archive_lag_seconds",
        "How far the WAL archive is behind the primary; +Inf when it holds no WAL",
        f ->
            f.wal().archived() && f.wal().lag() != null
                ? seconds(f.wal().lag())
                : Double.POSITIVE_INFINITY);
    figure(
        meters,
        target,
        "runbooks_wal_archive_lag_bytes",
        "WAL the primary wrote that the archive lacks; NaN when unknown",
        f -> f.wal().lagBytes() < 0 ? Double.NaN : f.wal().lagBytes());
    figure(
        meters,
        target,
        "runbooks_wal_archive_window_start_timestamp_seconds",
        "Earliest point a point-in-time restore reaches",
        f -> seconds(f.wal().windowStart()));
    figure(
        meters,
        target,
        "runbooks_wal_archive_window_end_timestamp_seconds",
        "Latest point a point-in-time restore reaches",
        f -> seconds(f.wal().windowEnd()));
    figure(
        meters,
        target,
        "runbooks_wal_freshness_limit_seconds",
        "The target's walFreshness",
        f -> seconds(f.walFreshness()));
  }

  private void figure(
      List<Meter> meters,
      String target,
      String name,
      String help,
      ToDoubleFunction<TargetRecoverability> value) {
    gauge(
        meters,
        target,
        name,
        help,
        e -> e == null || e.figures() == null ? Double.NaN : value.applyAsDouble(e.figures()));
  }

  private void gauge(
      List<Meter> meters,
      String target,
      String name,
      String help,
      ToDoubleFunction<RecoverabilityCache.Entry> value) {
    meters.add(
        Gauge.builder(name, this, g -> value.applyAsDouble(g.latest.get(target)))
            .description(help)
            .tag("target", target)
            .register(registry));
  }

  private static double seconds(Instant at) {
    return at == null ? 0 : at.toEpochMilli() / 1000.0;
  }

  private static double seconds(Duration d) {
    return d == null ? Double.NaN : d.toNanos() / 1e9;
  }
}
