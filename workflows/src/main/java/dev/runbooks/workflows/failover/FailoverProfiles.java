package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.ActivityProfiles;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import java.time.Duration;

/** Options of the failover activities: the outage lasts while they wait, so they wait little. */
final class FailoverProfiles {
  /** How long one catch-up call waits before it reports the remaining lag. */
  static final Duration CATCH_UP_SLICE = Duration.ofSeconds(5);

  /** Waiting on replication: one slice and some, heartbeating so a lost worker is noticed fast. */
  static final ActivityOptions WAITING_ON_REPLICATION =
      ActivityProfiles.bounded(
          ActivityOptions.newBuilder(ActivityProfiles.QUICK_SQL)
              .setStartToCloseTimeout(CATCH_UP_SLICE.plusSeconds(30))
              .setHeartbeatTimeout(Duration.ofSeconds(5))
              .build());

  /**
   * Fencing, promotion, verification and repointing: quick, retried often and soon. A lost worker
   * must cost seconds (the outage lasts while they wait), and each call is safe to repeat.
   */
  static final ActivityOptions SWITCHING =
      ActivityProfiles.bounded(
          ActivityOptions.newBuilder(ActivityProfiles.QUICK_SQL)
              .setStartToCloseTimeout(Duration.ofSeconds(90))
              .setRetryOptions(
                  RetryOptions.newBuilder(ActivityProfiles.QUICK_SQL.getRetryOptions())
                      .setInitialInterval(Duration.ofMillis(200))
                      .setMaximumInterval(Duration.ofSeconds(5))
                      .setMaximumAttempts(10)
                      .build())
              .build());

  /**
   * Repointing a replica: after promotion, so a replica that is down must not hold up the run; it
   * is listed for a person instead after a few quick attempts.
   */
  static final ActivityOptions REPOINTING =
      ActivityProfiles.bounded(
          ActivityOptions.newBuilder(SWITCHING)
              .setRetryOptions(
                  RetryOptions.newBuilder(SWITCHING.getRetryOptions())
                      .setMaximumAttempts(3)
                      .build())
              .build());

  /**
   * Rejoining the old primary: pg_rewind of a large data directory and a restart take minutes,
   * heartbeating meanwhile. A second attempt while the first still runs would read a server that is
   * being rewound, so it waits for the first one's timeout; two attempts at most.
   */
  static final ActivityOptions REJOINING =
      ActivityProfiles.bounded(
          ActivityOptions.newBuilder(SWITCHING)
              .setStartToCloseTimeout(Duration.ofMinutes(30))
              .setHeartbeatTimeout(Duration.ofSeconds(60))
              .setRetryOptions(
                  RetryOptions.newBuilder(SWITCHING.getRetryOptions())
                      .setMaximumAttempts(2)
                      .build())
              .build());

  private FailoverProfiles() {}
}
