package dev.runbooks.worker.metrics;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import com.uber.m3.util.Duration;
import dev.runbooks.activities.config.ConfigSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;

/**
 * The worker's metrics in one Prometheus registry: the Temporal SDK's own ({@code temporal_*},
 * through its Micrometer reporter) and the runbooks' ({@code runbooks_*}, runbooks/metrics.md).
 */
public final class RunbooksMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Scope temporalScope;
  private final RecoverabilityCache recoverability;
  private final RecoverabilityGauges gauges;
  private volatile HealthCache health;
  private volatile HealthGauges healthGauges;

  public RunbooksMetrics(RecoverabilityCache recoverability) {
    this.recoverability = recoverability;
    this.gauges = new RecoverabilityGauges(registry);
    this.temporalScope =
        new RootScopeBuilder()
            .reporter(new MicrometerClientStatsReporter(registry))
            .reportEvery(Duration.ofSeconds(1));
  }

  /**
   * The metrics of a worker serving {@code source}'s targets: listings reused for {@code ttl}, a
   * scrape waiting at most {@code budget} for the repositories.
   */
  public static RunbooksMetrics forConfig(
      ConfigSource source, java.time.Duration ttl, java.time.Duration budget) {
    ConfiguredRepositories repositories = new ConfiguredRepositories(source);
    return new RunbooksMetrics(
        new RecoverabilityCache(
            repositories::targets, repositories::list, ttl, budget, System::nanoTime));
  }

  /**
   * Also exposes each target's newest completed check run (runbooks/metrics.md), read from the
   * Temporal {@code client} serves at most once per {@code ttl}, a scrape waiting at most {@code
   * budget} for it. Once, after the client exists: the SDK's metrics need the registry first.
   */
  public void watchChecks(
      ConfigSource source,
      io.temporal.client.WorkflowClient client,
      java.time.Duration ttl,
      java.time.Duration budget) {
    healthGauges = new HealthGauges(registry);
    health =
        new HealthCache(
            () -> source.latest().config().targets().keySet(),
            new HealthSource(client),
            ttl,
            budget,
            System::nanoTime);
  }

  /** The scope to give the Temporal service stubs, so the SDK's worker metrics land here. */
  public Scope temporalScope() {
    return temporalScope;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Brings the recoverability figures up to date (within the cache's budget) and renders all. */
  public String scrape() {
    gauges.update(recoverability.current());
    HealthCache checks = health;
    if (checks != null) {
      healthGauges.update(checks.current());
    }
    return registry.scrape();
  }

  @Override
  public void close() {
    try {
      temporalScope.close();
    } catch (ScopeCloseException e) {
      // only the last report is lost: the registry closes next anyway
    }
    recoverability.close();
    if (health != null) {
      health.close();
    }
    registry.close();
  }
}
