package dev.runbooks.activities.check;

import java.time.Duration;
import java.util.Objects;

/**
 * When the check runbook's findings turn from OK to WARN or CRITICAL.
 *
 * @param lagWarnBytes a replica this many bytes of WAL behind the primary is WARN
 * @param lagCriticalBytes a replica this many bytes behind is CRITICAL
 * @param lagWarnTime a replica whose last replayed transaction is this old while the primary has
 *     newer WAL is WARN
 * @param connectionsWarnPercent client connections at this percentage of the connections available
 *     to ordinary roles ({@code max_connections - superuser_reserved_connections}) are WARN
 * @param connectionsCriticalPercent at this percentage they are CRITICAL
 * @param slotRetainedWarnBytes a replication slot that keeps this much WAL on the primary is WARN
 *     (a stalled consumer, such as the WAL archiver, fills the primary's disk)
 */
public record CheckThresholds(
    long lagWarnBytes,
    long lagCriticalBytes,
    Duration lagWarnTime,
    int connectionsWarnPercent,
    int connectionsCriticalPercent,
    long slotRetainedWarnBytes) {
  /** 1 GiB: a day of a quiet database's WAL, minutes of a busy one's. */
  public static final long DEFAULT_SLOT_RETAINED_WARN_BYTES = 1L << 30;

  /** Thresholds with the default slot retention limit. */
  public CheckThresholds(
      long lagWarnBytes,
      long lagCriticalBytes,
      Duration lagWarnTime,
      int connectionsWarnPercent,
      int connectionsCriticalPercent) {
    this(
        lagWarnBytes,
        lagCriticalBytes,
        lagWarnTime,
        connectionsWarnPercent,
        connectionsCriticalPercent,
        DEFAULT_SLOT_RETAINED_WARN_BYTES);
  }

  public CheckThresholds {
    Objects.requireNonNull(lagWarnTime, "lagWarnTime");
  }

  /** 16 MiB and 1 GiB of lag, 30 seconds of replay delay, 80% and 95% of the connections. */
  public static CheckThresholds defaults() {
    return new CheckThresholds(16L << 20, 1L << 30, Duration.ofSeconds(30), 80, 95);
  }
}
