package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.check.CheckResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * The figures read from Temporal follow the repositories' rule: past their TTL they are served at
 * once while Temporal is read again behind the scrape, so a slow Temporal does not slow a scrape.
 */
class StaleCheckRunsTest {
  private static final Duration TTL = Duration.ofSeconds(30);

  @Test
  void aScrapeDuringASlowReadOfTheCheckRunsAnswersAtOnceWithThePreviousOnes() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000_000L);
    CountDownLatch release = new CountDownLatch(1);
    HealthSource.CheckRun first =
        new HealthSource.CheckRun(
            "check-orders-1",
            Instant.parse("2026-12-01T00:00:00Z"),
            new CheckResult("orders", List.of()));
    AtomicLong reads = new AtomicLong();
    try (HealthCache cache =
        new HealthCache(
            () -> Set.of("orders"),
            targets -> {
              if (reads.incrementAndGet() > 1) {
                try {
                  release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
              return Map.of("orders", first);
            },
            TTL,
            clock::get)) {
      HealthCache.Snapshot read =
          cache.await(cache.refresh(), clock.get() + Duration.ofSeconds(10).toNanos());
      assertEquals(first, read.runs().get("orders"));

      clock.addAndGet(TTL.plusSeconds(1).toNanos());
      long start = System.nanoTime();
      HealthCache.Snapshot served =
          cache.await(cache.refresh(), clock.get() + Duration.ofSeconds(10).toNanos());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(
          took.compareTo(Duration.ofSeconds(3)) < 0, "the scrape waited for Temporal: " + took);
      assertEquals(first, served.runs().get("orders"));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (reads.get() < 2) {
        assertTrue(System.nanoTime() < deadline, "Temporal was not read again behind the scrape");
        Thread.sleep(20);
      }
    } finally {
      release.countDown();
    }
  }
}
