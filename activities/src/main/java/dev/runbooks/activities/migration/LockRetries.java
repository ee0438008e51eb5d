package dev.runbooks.activities.migration;

import java.time.Duration;
import java.time.Instant;

/**
 * The lock guard's retry policy: a version that gave up waiting for its lock (lock_timeout,
 * SQLSTATE 55P03) is tried again after a pause, at most {@code retries} more times, and only while
 * the next attempt ends within {@code budget} of the version's first attempt. Between attempts the
 * migration holds no lock and queues for none, so the application's queries run.
 */
record LockRetries(int retries, Duration budget) {
  /** No retry: the first lock_timeout fails the version (the rehearsal; runs started earlier). */
  static final LockRetries NONE = new LockRetries(0, Duration.ZERO);

  static final Duration FIRST_PAUSE = Duration.ofSeconds(1);
  static final Duration LONGEST_PAUSE = Duration.ofSeconds(15);

  LockRetries {
    budget = budget == null ? Duration.ZERO : budget;
  }

  /** The pause before attempt {@code attempt + 1}: 1 s, 2 s, 4 s ... at most 15 s. */
  static Duration backoff(int attempt) {
    Duration pause = FIRST_PAUSE.multipliedBy(1L << Math.min(attempt - 1, 10));
    return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
  }

  /**
   * The pause before the next attempt of a version whose attempt {@code attempt} just gave up its
   * lock wait, or null when it gets none: out of retries, or the next attempt (pause plus one lock
   * wait) would not end within the budget counted from {@code firstAttempt}.
   */
  Duration nextPause(int attempt, Instant firstAttempt, Instant now, Duration lockTimeout) {
    if (attempt > retries) {
      return null;
    }
    Duration left = Duration.between(now, firstAttempt.plus(budget)).minus(lockTimeout);
    Duration pause = backoff(attempt);
    if (pause.compareTo(left) > 0) {
      pause = left;
    }
    return pause.compareTo(Duration.ofMillis(100)) < 0 ? null : pause;
  }
}
