package dev.runbooks.worker.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
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
 * Each target's recoverability as its repository lists it, kept for a short time so a scrape is
 * fast, and never waited for longer than the scrape's budget: a repository that cannot be listed in
 * time (or at all) is reported as an error for its target while the other targets answer. Figures
 * past their TTL but younger than the TTL and the stale window together are served at once while a
 * refresh reads the repository behind the scrape (stale-while-revalidate); a scrape waits only for
 * a target never read yet or figures older than that. Nothing here survives a restart, and nothing
 * needs to: the repository is the record.
 */
public final class RecoverabilityCache implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RecoverabilityCache.class);

  /** A target's latest figures and whether the latest attempt to list it failed. */
  public record Entry(TargetRecoverability figures, String error, long listedAtNanos) {}

  private final Supplier<Set<String>> targets;
  private final Function<String, TargetRecoverability> lister;
  private final Duration ttl;
  private final Duration budget;
  private final Duration stale;
  private final LongSupplier nanoTime;
  private final ExecutorService listing;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private final Map<String, Refresh> inFlight = new ConcurrentHashMap<>();

  /** A listing under way, and when it started. */
  private record Refresh(CompletableFuture<Entry> listing, long startedAtNanos) {}

  /**
   * Figures past their TTL are served for another TTL while they are read again.
   *
   * @param ttl how long a listing is reused
   * @param budget how long one refresh waits for all the listings together
   */
  public RecoverabilityCache(
      Supplier<Set<String>> targets,
      Function<String, TargetRecoverability> lister,
      Duration ttl,
      Duration budget,
      LongSupplier nanoTime) {
    this(targets, lister, ttl, budget, ttl, nanoTime);
  }

  /**
   * @param ttl how long a listing is reused
   * @param budget how long one refresh waits for all the listings together
   * @param stale how long after its TTL a listing is still served, at once, while it is read again
   */
  public RecoverabilityCache(
      Supplier<Set<String>> targets,
      Function<String, TargetRecoverability> lister,
      Duration ttl,
      Duration budget,
      Duration stale,
      LongSupplier nanoTime) {
    this.stale = Objects.requireNonNull(stale, "stale");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.lister = Objects.requireNonNull(lister, "lister");
    this.ttl = Objects.requireNonNull(ttl, "ttl");
    this.budget = Objects.requireNonNull(budget, "budget");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    this.listing =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "metrics-repository-listing");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Lists every target whose figures are older than the TTL, waiting at most the budget for those
   * never read or older than the TTL and the stale window.
   */
  public Map<String, Entry> current() {
    long now = nanoTime.getAsLong();
    long deadline = now + budget.toNanos();
    Set<String> configured = targets.get();
    // A target removed from the configuration is forgotten: its series leave the endpoint.
    entries.keySet().retainAll(configured);
    Map<String, CompletableFuture<Entry>> waiting = new LinkedHashMap<>();
    for (String target : configured) {
      Entry known = entries.get(target);
      long age = known == null ? Long.MAX_VALUE : now - known.listedAtNanos();
      if (age < ttl.toNanos()) {
        continue;
      }
      Refresh refresh =
          inFlight.compute(
              target, (t, r) -> r == null || r.listing().isDone() ? new Refresh(list(t), now) : r);
      if (age < ttl.toNanos() + stale.toNanos()) {
        serveStale(target, known, refresh, now);
        continue;
      }
      waiting.put(target, refresh.listing());
    }
    for (Map.Entry<String, CompletableFuture<Entry>> w : waiting.entrySet()) {
      try {
        w.getValue().get(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        markSlow(w.getKey(), entries.get(w.getKey()));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (ExecutionException e) {
        throw new IllegalStateException("a listing task failed unexpectedly", e.getCause());
      }
    }
    Map<String, Entry> result = new LinkedHashMap<>();
    for (String target : configured) {
      Entry e = entries.get(target);
      if (e != null) {
        result.put(target, e);
      }
    }
    return result;
  }

  /**
   * Keeps {@code known} while {@code refresh} reads the repository again, marked as an error once
   * the refresh has taken longer than a scrape's budget.
   */
  private void serveStale(String target, Entry known, Refresh refresh, long now) {
    if (known.error() == null
        && !refresh.listing().isDone()
        && now - refresh.startedAtNanos() >= budget.toNanos()) {
      markSlow(target, known);
    }
  }

  /** Marks {@code known} as too slow to list, unless a listing has just replaced it. */
  private void markSlow(String target, Entry known) {
    Entry slow =
        new Entry(
            known == null ? null : known.figures(),
            "listing the repository took longer than " + budget.toMillis() + " ms",
            known == null ? Long.MIN_VALUE / 2 : known.listedAtNanos());
    if (known == null) {
      entries.putIfAbsent(target, slow);
    } else {
      entries.replace(target, known, slow);
    }
  }

  private CompletableFuture<Entry> list(String target) {
    return CompletableFuture.supplyAsync(
        () -> {
          Entry entry;
          try {
            TargetRecoverability figures = lister.apply(target);
            entry = new Entry(figures, null, nanoTime.getAsLong());
          } catch (RuntimeException e) {
            log.warn("metrics: cannot list the backups of target {}: {}", target, e.getMessage());
            Entry known = entries.get(target);
            entry =
                new Entry(
                    known == null ? null : known.figures(),
                    String.valueOf(e.getMessage()),
                    nanoTime.getAsLong());
          }
          entries.put(target, entry);
          inFlight.remove(target);
          return entry;
        },
        listing);
  }

  @Override
  public void close() {
    listing.shutdownNow();
  }
}
