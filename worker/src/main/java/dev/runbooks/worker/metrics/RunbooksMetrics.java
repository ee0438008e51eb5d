package dev.runbooks.worker.metrics;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import com.uber.m3.util.Duration;
import dev.runbooks.activities.config.ConfigSource;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.client.WorkflowClient;
import io.temporal.common.interceptors.WorkerInterceptor;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.time.Clock;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.slf4j.LoggerFactory;

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
  private volatile OpenRuns openRuns;
  private volatile ApprovalGauges approvals;
  private final AutoCloseable sources;
  private volatile HealthCache health;
  private volatile HealthGauges healthGauges;
  private final Supplier<Set<String>> targets;
  private final java.time.Duration ttl;
  private final java.time.Duration budget;
  private final RunRecordGauges runGauges;
  private volatile RunRecords runs;

  public RunbooksMetrics(RecoverabilityCache recoverability) {
    this(
        recoverability,
        () -> {},
        Set::of,
        java.time.Duration.ofSeconds(30),
        java.time.Duration.ofSeconds(5));
  }

  /**
   * @param sources what the cache reads (the configuration's repositories), closed with this
   * @param targets the configured targets, for the figures read from Temporal
   * @param ttl how long a reading of Temporal is reused
   * @param budget how long a scrape waits for Temporal
   */
  RunbooksMetrics(
      RecoverabilityCache recoverability,
      AutoCloseable sources,
      Supplier<Set<String>> targets,
      java.time.Duration ttl,
      java.time.Duration budget) {
    this.recoverability = recoverability;
    this.sources = sources;
    this.targets = targets;
    this.ttl = ttl;
    this.budget = budget;
    this.gauges = new RecoverabilityGauges(registry);
    this.runGauges = new RunRecordGauges(registry);
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
    return forRepositories(new ConfiguredRepositories(source), ttl, budget);
  }

  static RunbooksMetrics forRepositories(
      ConfiguredRepositories repositories, java.time.Duration ttl, java.time.Duration budget) {
    return new RunbooksMetrics(
        new RecoverabilityCache(
            repositories::targets, repositories::read, ttl, budget, System::nanoTime),
        repositories,
        repositories::targets,
        ttl,
        budget);
  }

  /**
   * Reads the figures Temporal records (archivers, rotations, switchovers) through {@code client}
   * from now on; without it those gauges are absent.
   */
  public void readRunsFrom(WorkflowClient client) {
    RunRecords previous = runs;
    runs = new RunRecords(client, targets, ttl);
    if (previous != null) {
      previous.close();
    }
  }

  /**
   * Also exposes each target's newest completed check run (runbooks/metrics.md), read through
   * {@code client} at most once per TTL, within the scrape's budget. Once, after the client exists:
   * the SDK's metrics need the registry first.
   */
  public void watchChecks(WorkflowClient client) {
    healthGauges = new HealthGauges(registry);
    health = new HealthCache(targets, new HealthSource(client)::newest, ttl, System::nanoTime);
  }

  /** The scope to give the Temporal service stubs, so the SDK's worker metrics land here. */
  public Scope temporalScope() {
    return temporalScope;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Reports the open runs {@code client} lists (approvals waiting, target locks held), read again
   * when older than {@code ttl}, a scrape waiting at most {@code budget} for them.
   */
  public void watchRuns(WorkflowClient client, java.time.Duration ttl, java.time.Duration budget) {
    openRuns = new OpenRuns(client, ttl, budget, System::nanoTime);
    approvals = new ApprovalGauges(registry, openRuns, Clock.systemUTC());
  }

  /** Times each step (activity) the worker runs: give it to the worker's interceptors. */
  public WorkerInterceptor stepTimer() {
    return new StepTimer(registry);
  }

  /** Brings the recoverability figures up to date (within the cache's budget) and renders all. */
  public String scrape() {
    long deadline = System.nanoTime() + budget.toNanos();
    RunRecords records = runs;
    // Temporal is read while the repositories are listed: one budget for both.
    CompletableFuture<RunRecords.Snapshot> reading = records == null ? null : records.refresh();
    HealthCache checks = health;
    CompletableFuture<HealthCache.Snapshot> checking = checks == null ? null : checks.refresh();
    if (approvals != null) {
      approvals.refresh();
    }
    Map<String, RecoverabilityCache.Entry> entries = recoverability.current();
    gauges.update(entries);
    if (approvals != null) {
      approvals.update(entries.keySet());
    }
    if (reading != null) {
      runGauges.update(records.await(reading, deadline), entries.keySet());
    }
    if (checking != null) {
      healthGauges.update(checks.await(checking, deadline));
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
    if (runs != null) {
      runs.close();
    }
    if (openRuns != null) {
      openRuns.close();
    }
    if (health != null) {
      health.close();
    }
    try {
      sources.close();
    } catch (Exception e) {
      LoggerFactory.getLogger(RunbooksMetrics.class)
          .warn("closing the metrics' repositories failed: {}", e.toString());
    }
    registry.close();
  }
}
