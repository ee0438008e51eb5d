package dev.runbooks.worker.metrics;

import dev.runbooks.worker.metrics.HealthSource.CheckRun;
import dev.runbooks.workflows.check.Figure;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The health gauges of each target, from its newest completed check run: what the checks found by
 * check and severity, and what they measured (Figure). A series the newest run did not measure (a
 * replica it could not reach, a slot since dropped) is absent rather than stale. Names in
 * runbooks/metrics.md.
 */
final class HealthGauges {
  static final String PREFIX = "runbooks_";

  /** The help line of each figure's metric. */
  private static final Map<String, String> HELP =
      Map.ofEntries(
          Map.entry(Figure.REPLICATION_LAG_BYTES, "Bytes of WAL the replica has not replayed"),
          Map.entry(
              Figure.REPLICATION_LAG_SECONDS,
              "Since the replica's last replayed commit, while it lags"),
          Map.entry(Figure.SLOT_RETAINED_WAL_BYTES, "Bytes of WAL the slot keeps on the primary"),
          Map.entry(Figure.LONG_TRANSACTIONS, "Transactions open longer than the check's limit"),
          Map.entry(Figure.LOCK_WAITS, "Sessions waiting on a lock another session holds"),
          Map.entry(Figure.CONNECTIONS, "Client connections in use"),
          Map.entry(Figure.CONNECTIONS_MAX, "max_connections"),
          Map.entry(Figure.DATABASE_XID_AGE, "age(datfrozenxid): transactions since the freeze"),
          Map.entry(Figure.DATABASE_SIZE_BYTES, "pg_database_size"));

  private final MeterRegistry registry;
  private final Map<String, MultiGauge> gauges = new HashMap<>();
  private final Map<String, FunctionCounter> deadlockCounters = new HashMap<>();
  private volatile Map<String, Double> deadlocks = Map.of();

  HealthGauges(MeterRegistry registry) {
    this.registry = registry;
  }

  synchronized void update(HealthCache.Snapshot snapshot) {
    Map<String, List<MultiGauge.Row<?>>> rows = new LinkedHashMap<>();
    rows.put("check_last_timestamp_seconds", new ArrayList<>());
    rows.put("check_findings", new ArrayList<>());
    HELP.keySet().forEach(name -> rows.put(name, new ArrayList<>()));
    Map<String, Double> counted = new HashMap<>();
    for (String target : new java.util.TreeSet<>(snapshot.targets())) {
      CheckRun run = snapshot.runs().get(target);
      Tags tags = Tags.of("target", target);
      // Never checked is 0, so an alert on the check's age fires for it.
      rows.get("check_last_timestamp_seconds")
          .add(row(tags, run == null ? 0 : run.closed().toEpochMilli() / 1000.0));
      if (run == null) {
        continue;
      }
      findings(run.result().findings())
          .forEach(
              (check, bySeverity) ->
                  bySeverity.forEach(
                      (severity, count) ->
                          rows.get("check_findings")
                              .add(
                                  row(
                                      tags.and("check", check)
                                          .and(
                                              "severity", severity.name().toLowerCase(Locale.ROOT)),
                                      count))));
      for (Figure f : run.result().figures()) {
        if (f.name().equals(Figure.DEADLOCKS)) {
          counted.put(target, f.value());
        } else if (rows.containsKey(f.name())) {
          Tags labels = tags;
          for (Map.Entry<String, String> l : new TreeMap<>(f.labels()).entrySet()) {
            labels = labels.and(l.getKey(), l.getValue());
          }
          rows.get(f.name()).add(row(labels, f.value()));
        }
      }
    }
    rows.forEach((name, r) -> gauge(name).register(r, true));
    deadlocks = Map.copyOf(counted);
    countDeadlocks(counted);
  }

  /** Per check, the number of findings of each severity, zero included. */
  private static Map<String, Map<Severity, Integer>> findings(List<Finding> findings) {
    Map<String, Map<Severity, Integer>> counts = new TreeMap<>();
    for (Finding f : findings) {
      Map<Severity, Integer> bySeverity =
          counts.computeIfAbsent(
              f.check(),
              c -> {
                Map<Severity, Integer> zero = new LinkedHashMap<>();
                for (Severity s : Severity.values()) {
                  zero.put(s, 0);
                }
                return zero;
              });
      bySeverity.merge(f.severity(), 1, Integer::sum);
    }
    return counts;
  }

  /** pg_stat_database.deadlocks is a counter: exposed as one, so rate() and resets work. */
  private void countDeadlocks(Map<String, Double> counted) {
    for (String target : counted.keySet()) {
      deadlockCounters.computeIfAbsent(
          target,
          t ->
              FunctionCounter.builder(
                      PREFIX + Figure.DEADLOCKS, this, g -> g.deadlocks.getOrDefault(t, Double.NaN))
                  .description("pg_stat_database.deadlocks of the target's database")
                  .tag("target", t)
                  .register(registry));
    }
    deadlockCounters
        .entrySet()
        .removeIf(
            e -> {
              if (counted.containsKey(e.getKey())) {
                return false;
              }
              registry.remove(e.getValue());
              return true;
            });
  }

  private MultiGauge gauge(String name) {
    return gauges.computeIfAbsent(
        name,
        n ->
            MultiGauge.builder(PREFIX + n)
                .description(
                    HELP.getOrDefault(
                        n,
                        n.equals("check_findings")
                            ? "Findings of the newest completed check run"
                            : "When the newest completed check run ended"))
                .register(registry));
  }

  private static MultiGauge.Row<Number> row(Tags tags, double value) {
    return MultiGauge.Row.of(tags, value);
  }
}
