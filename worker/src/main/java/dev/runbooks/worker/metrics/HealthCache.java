package dev.runbooks.worker.metrics;

import dev.runbooks.worker.metrics.HealthSource.CheckRun;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each target's newest completed check run, read from Temporal at most once per TTL and never
 * waited for longer than the scrape's budget: while Temporal is slow or away, a scrape shows the
 * figures of the last successful read (their {@code runbooks_check_last_timestamp_seconds} says how
 * old they are).
 */
final class HealthCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthCache.class);

  /** The configured targets and the newest check of each that has one. */
  record Snapshot(Set<String> targets, Map<String, CheckRun> runs) {
    Snapshot {
      targets = Set.copyOf(targets);
      runs = Map.copyOf(runs);
    }
  }

  private final Supplier<Set<String>> targets;
  private final Function<Set<String>, Map<String, CheckRun>> source;
  private final Duration ttl;
  private final LongSupplier nanoTime;
  private final ExecutorService reading;
  private volatile Snapshot latest = new Snapshot(Set.of(), Map.of());
  private volatile long readAtNanos;
  private volatile boolean read;
  private CompletableFuture<Snapshot> inFlight;

  /**
   * @param source each target's newest completed check run ({@link HealthSource#newest})
   */
  HealthCache(
      Supplier<Set<String>> targets,
      Function<Set<String>, Map<String, CheckRun>> source,
      Duration ttl,
      LongSupplier nanoTime) {
    this.targets = Objects.requireNonNull(targets, "targets");
    this.source = Objects.requireNonNull(source, "source");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.reading =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-check-runs");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts reading Temporal again when the last read is older than the TTL. */
  synchronized CompletableFuture<Snapshot> refresh() {
    long age = nanoTime.getAsLong() - readAtNanos;
    if (read && age < ttl.toNanos()) {
      return CompletableFuture.completedFuture(latest);
    }
    if (inFlight == null) {
      inFlight = CompletableFuture.supplyAsync(this::readNow, reading);
    }
    // Younger than twice the TTL: served while it is read again, as the repositories' figures are.
    if (read && age < 2 * ttl.toNanos()) {
      return CompletableFuture.completedFuture(latest);
    }
    return inFlight;
  }

  /** What {@code refresh} read, or by {@code deadlineNanos} the last successful read. */
  Snapshot await(CompletableFuture<Snapshot> refresh, long deadlineNanos) {
    try {
      return refresh.get(Math.max(0, deadlineNanos - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      log.warn("metrics: reading the check runs took longer than the scrape's budget");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (ExecutionException e) {
      log.warn("metrics: cannot read the check runs: {}", e.getCause().getMessage());
    }
    return latest;
  }

  private Snapshot readNow() {
    try {
      Set<String> configured = targets.get();
      Snapshot snapshot = new Snapshot(configured, source.apply(configured));
      latest = snapshot;
      readAtNanos = nanoTime.getAsLong();
      read = true;
      return snapshot;
    } finally {
      synchronized (this) {
        inFlight = null;
      }
    }
  }

  @Override
  public void close() {
    reading.shutdownNow();
  }
}
