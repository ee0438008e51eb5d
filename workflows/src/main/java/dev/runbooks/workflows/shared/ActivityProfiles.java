package dev.runbooks.workflows.shared;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Activity options by kind of work, so timeouts and retries are chosen once, not at every call.
 * Every profile retries transient faults with bounded backoff, never retries a {@link FailureType},
 * and has a schedule-to-close bound (see {@link #bounded}): a call no worker picks up (a worker
 * without the capability, or none at all) fails the run instead of making it wait forever.
 */
public final class ActivityProfiles {
  private static final RetryOptions BOUNDED =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofSeconds(30))
          .setMaximumAttempts(5)
          .setDoNotRetry(FailureType.names())
          .build();

  /**
   * How long a call may wait in the task queue for a worker that can run it, on top of the time its
   * attempts may take: a busy worker is waited for, a missing one is not.
   */
  public static final Duration QUEUE_WAIT = Duration.ofMinutes(5);

  /** A few SQL statements or a metadata call: seconds. */
  public static final ActivityOptions QUICK_SQL =
      bounded(
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(60))
              .setRetryOptions(BOUNDED)
              .build());

  /** Read-only health checks: a report is worth more soon than complete late. */
  public static final ActivityOptions HEALTH_CHECK =
      bounded(
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(3).build())
              .build());

  /** Dumps, uploads and restores: hours, heartbeating with bytes done. */
  public static final ActivityOptions LONG_STREAMING =
      bounded(
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofHours(12))
              .setHeartbeatTimeout(Duration.ofSeconds(60))
              .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(3).build())
              .build());

  /** Taking and releasing a target's lock: calls to Temporal itself. */
  public static final ActivityOptions TARGET_LOCK =
      bounded(
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofSeconds(30))
              .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(10).build())
              .build());

  /**
   * The options with a schedule-to-close timeout: {@link #QUEUE_WAIT}, plus every attempt the retry
   * options allow running to its start-to-close timeout, plus the backoff between them. The bound
   * never cuts the retries short; it only ends the wait for a worker that never comes.
   */
  public static ActivityOptions bounded(ActivityOptions options) {
    RetryOptions retry = options.getRetryOptions();
    int attempts = retry.getMaximumAttempts();
    if (attempts < 1) {
      throw new IllegalArgumentException("a bounded profile needs a maximum number of attempts");
    }
    Duration bound = QUEUE_WAIT.plus(options.getStartToCloseTimeout().multipliedBy(attempts));
    Duration interval = retry.getInitialInterval();
    for (int i = 1; i < attempts; i++) {
      bound = bound.plus(interval);
      Duration next =
          Duration.ofMillis((long) (interval.toMillis() * retry.getBackoffCoefficient()));
      Duration max = retry.getMaximumInterval();
      interval = max != null && next.compareTo(max) > 0 ? max : next;
    }
    return ActivityOptions.newBuilder(options).setScheduleToCloseTimeout(bound).build();
  }

  /** The same options with a summary the Temporal UI shows for this one call. */
  public static ActivityOptions withSummary(ActivityOptions profile, String summary) {
    return ActivityOptions.newBuilder(profile).setSummary(summary).build();
  }

  private ActivityProfiles() {}
}
