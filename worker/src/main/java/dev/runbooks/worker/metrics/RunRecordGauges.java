package dev.runbooks.worker.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The gauges read from Temporal's records ({@link RunRecords}), for the configured targets only:
 * every scrape replaces their rows, so a target or role that is gone leaves the endpoint. Before
 * Temporal has answered once there are none. Names in runbooks/metrics.md.
 */
final class RunRecordGauges {
  private final MultiGauge archiverRunning;
  private final MultiGauge rotationNewest;
  private final MultiGauge switchoverAt;
  private final MultiGauge switchoverOutage;
  private final MultiGauge switchoverLost;

  RunRecordGauges(MeterRegistry registry) {
    archiverRunning =
        gauge(
            registry, "runbooks_wal_archiver_running", "1 when the WAL archiver workflow is open");
    rotationNewest =
        gauge(
            registry,
            "runbooks_rotation_newest_timestamp_seconds",
            "When the newest completed rotation of the role ended");
    switchoverAt =
        gauge(
            registry,
            "runbooks_switchover_last_timestamp_seconds",
            "When the newest completed failover or switchover ended");
    switchoverOutage =
        gauge(
            registry,
            "runbooks_switchover_last_write_outage_seconds",
            "Its measured write outage; NaN for an unplanned failover");
    switchoverLost =
        gauge(
            registry,
            "runbooks_switchover_last_lost_bytes",
            "WAL it lost; 0 when planned, NaN when unknown");
  }

  void update(RunRecords.Snapshot snapshot, Set<String> targets) {
    if (snapshot == null) {
      return;
    }
    List<MultiGauge.Row<?>> archivers = new ArrayList<>();
    snapshot
        .archiverRunning()
        .forEach(
            (target, running) -> {
              if (targets.contains(target)) {
                archivers.add(MultiGauge.Row.of(Tags.of("target", target), running ? 1 : 0));
              }
            });
    archiverRunning.register(archivers, true);
    List<MultiGauge.Row<?>> rotations = new ArrayList<>();
    for (Map.Entry<String, Map<String, RunRecords.Rotation>> t : snapshot.rotations().entrySet()) {
      if (targets.contains(t.getKey())) {
        for (RunRecords.Rotation r : t.getValue().values()) {
          rotations.add(
              MultiGauge.Row.of(Tags.of("target", r.target(), "role", r.role()), seconds(r.at())));
        }
      }
    }
    rotationNewest.register(rotations, true);
    switchoverAt.register(rows(snapshot, targets, s -> seconds(s.at())), true);
    switchoverOutage.register(rows(snapshot, targets, s -> seconds(s.writeOutage())), true);
    switchoverLost.register(
        rows(snapshot, targets, s -> s.bytesLost() == null ? Double.NaN : s.bytesLost()), true);
  }

  private static List<MultiGauge.Row<?>> rows(
      RunRecords.Snapshot snapshot,
      Set<String> targets,
      Function<RunRecords.Switchover, Number> value) {
    List<MultiGauge.Row<?>> rows = new ArrayList<>();
    for (RunRecords.Switchover s : snapshot.switchovers().values()) {
      if (targets.contains(s.target())) {
        rows.add(MultiGauge.Row.of(Tags.of("target", s.target()), value.apply(s)));
      }
    }
    return rows;
  }

  private static MultiGauge gauge(MeterRegistry registry, String name, String help) {
    return MultiGauge.builder(name).description(help).register(registry);
  }

  private static double seconds(Instant at) {
    return at.toEpochMilli() / 1000.0;
  }

  private static double seconds(Duration d) {
    return d == null ? Double.NaN : d.toNanos() / 1e9;
  }
}
