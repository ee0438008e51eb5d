package dev.runbooks.activities.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Thresholds of the check runbook.
 *
 * @param longTransaction transactions open longer than this are reported
 * @param lagWarnBytes replication lag from which a replica is a warning
 * @param lagCriticalBytes replication lag from which a replica is critical
 * @param slotRetainedWarnBytes WAL kept by one replication slot from which it is a warning
 */
public record CheckSettings(
    Duration longTransaction,
    long lagWarnBytes,
    long lagCriticalBytes,
    long slotRetainedWarnBytes) {
  public static final Duration DEFAULT_LONG_TRANSACTION = Duration.ofMinutes(5);
  public static final long DEFAULT_LAG_WARN_BYTES = 16L * 1024 * 1024;
  public static final long DEFAULT_LAG_CRITICAL_BYTES = 1024L * 1024 * 1024;

  public static final long DEFAULT_SLOT_RETAINED_WARN_BYTES = 1024L * 1024 * 1024;

  /** Settings with the default slot retention limit. */
  public CheckSettings(Duration longTransaction, long lagWarnBytes, long lagCriticalBytes) {
    this(longTransaction, lagWarnBytes, lagCriticalBytes, DEFAULT_SLOT_RETAINED_WARN_BYTES);
  }

  public CheckSettings {
    Objects.requireNonNull(longTransaction, "longTransaction");
  }

  /** PT5M, 16 MiB, 1 GiB. */
  public static CheckSettings defaults() {
    return new CheckSettings(
        DEFAULT_LONG_TRANSACTION, DEFAULT_LAG_WARN_BYTES, DEFAULT_LAG_CRITICAL_BYTES);
  }
}
