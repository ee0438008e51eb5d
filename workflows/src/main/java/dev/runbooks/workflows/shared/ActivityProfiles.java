package dev.runbooks.workflows.shared;

import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Activity options by kind of work, so timeouts and retries are chosen once, not at every call.
 * Every profile retries transient faults with bounded backoff and never retries a {@link
 * FailureType}.
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

  /** A few SQL statements or a metadata call: seconds. */
  public static final ActivityOptions QUICK_SQL =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(60))
          .setRetryOptions(BOUNDED)
          .build();

  /** Read-only health checks: a report is worth more soon than complete late. */
  public static final ActivityOptions HEALTH_CHECK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(3).build())
          .build();

  /** Dumps, uploads and restores: hours, heartbeating with bytes done. */
  public static final ActivityOptions LONG_STREAMING =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofHours(12))
          .setHeartbeatTimeout(Duration.ofSeconds(60))
          .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(3).build())
          .build();

  /** Taking and releasing a target's lock: calls to Temporal itself. */
  public static final ActivityOptions TARGET_LOCK =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(Duration.ofSeconds(30))
          .setRetryOptions(RetryOptions.newBuilder(BOUNDED).setMaximumAttempts(10).build())
          .build();

  /** The same options with a summary the Temporal UI shows for this one call. */
  public static ActivityOptions withSummary(ActivityOptions profile, String summary) {
    return ActivityOptions.newBuilder(profile).setSummary(summary).build();
  }

  private ActivityProfiles() {}
}
