package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.pitr.WalArchiveFigures;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Figures past their TTL are served at once while a refresh reads the repository behind the scrape;
 * only a target never read yet, or figures older than the TTL and the stale window together, make a
 * scrape wait (within its budget). A refresh that hangs longer than the budget still turns the
 * error gauge on.
 */
class StaleWhileRevalidateTest {
  private static final Duration TTL = Duration.ofSeconds(30);
  private static final Duration BUDGET = Duration.ofSeconds(10);

  /** How long an answer from figures already read may take on a loaded machine. */
  private static final Duration PROMPT = Duration.ofSeconds(3);

  private final AtomicLong clock = new AtomicLong(1_000_000_000L);
  private final AtomicInteger backups = new AtomicInteger(1);
  private final CountDownLatch release = new CountDownLatch(1);
  private volatile boolean slow;

  private TargetRecoverability list(String target) {
    if (slow) {
      try {
        release.await(60, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return new TargetRecoverability(
        target,
        Instant.EPOCH,
        null,
        backups.get(),
        0,
        null,
        null,
        null,
        null,
        new WalArchiveFigures(false, null, null, -1, null),
        null);
  }

  private RecoverabilityCache cache() {
    return new RecoverabilityCache(
        () -> Set.of("orders"), this::list, TTL, BUDGET, TTL, clock::get);
  }

  private void advance(Duration d) {
    clock.addAndGet(d.toNanos());
  }

  @Test
  void aScrapeDuringASlowRefreshAnswersAtOnceWithThePreviousFigures() throws Exception {
    try (RecoverabilityCache cache = cache()) {
      assertEquals(1, cache.current().get("orders").figures().completeBackups());
      advance(TTL.plusSeconds(1));
      slow = true;
      backups.set(2);
      long start = System.nanoTime();
      RecoverabilityCache.Entry served = cache.current().get("orders");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(PROMPT) < 0, "the scrape waited for the refresh: " + took);
      assertEquals(1, served.figures().completeBackups());
      assertNull(served.error(), "stale figures are not an error");

      release.countDown();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (cache.current().get("orders").figures().completeBackups() != 2) {
        assertTrue(System.nanoTime() < deadline, "the background refresh never landed");
        Thread.sleep(20);
      }
      assertNull(cache.current().get("orders").error());
    } finally {
      release.countDown();
    }
  }

  @Test
  void aRefreshHungLongerThanTheBudgetTurnsTheErrorGaugeOnAndKeepsTheFigures() throws Exception {
    try (RecoverabilityCache cache = cache()) {
      cache.current();
      advance(TTL.plusSeconds(1));
      slow = true;
      assertNull(cache.current().get("orders").error());
      advance(BUDGET.plusSeconds(1));
      long start = System.nanoTime();
      RecoverabilityCache.Entry served = cache.current().get("orders");
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertTrue(took.compareTo(PROMPT) < 0, "the scrape waited again: " + took);
      assertNotNull(served.error(), "a repository hung past the budget shows no error");
      assertEquals(1, served.figures().completeBackups());
    } finally {
      release.countDown();
    }
  }

  @Test
  void figuresOlderThanTheStaleWindowAreReadBeforeTheScrapeAnswers() {
    try (RecoverabilityCache cache = cache()) {
      cache.current();
      advance(TTL.multipliedBy(2).plusSeconds(1));
      backups.set(3);
      assertEquals(3, cache.current().get("orders").figures().completeBackups());
    }
  }
}
