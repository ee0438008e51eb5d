package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.ActivityProfiles;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/**
 * Options of the migration activities that change the target or a scratch copy: long (a backfill
 * can take hours), heartbeating, and retried only for transient faults a few times, so that a
 * rollback that cannot succeed stops instead of looping.
 */
final class MigrationProfiles {
  private static final RetryOptions FEW =
      RetryOptions.newBuilder()
          .setInitialInterval(Duration.ofSeconds(1))
          .setBackoffCoefficient(2.0)
          .setMaximumInterval(Duration.ofSeconds(30))
          .setMaximumAttempts(3)
          .setDoNotRetry(FailureType.names())
          .build();

  /** Applying, rehearsing, rolling back, copying: one SQL script or pg_dump at a time. */
  static final ActivityOptions CHANGING_SCHEMA =
      ActivityProfiles.bounded(
          ActivityOptions.newBuilder()
              .setStartToCloseTimeout(Duration.ofHours(12))
              .setHeartbeatTimeout(Duration.ofSeconds(60))
              .setRetryOptions(FEW)
              .build());

  /**
   * Applying: an abort waits until the apply activity has stopped (it cancels its running statement
   * when its heartbeat hears of the abort), so that the rollback never runs while a migration is
   * still being applied.
   */
  static final ActivityOptions APPLYING =
      ActivityOptions.newBuilder(CHANGING_SCHEMA)
          // The SDK sends a heartbeat at most every 80% of this: an abort reaches it in seconds.
          .setHeartbeatTimeout(Duration.ofSeconds(10))
          .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
          .build();

  private MigrationProfiles() {}
}
