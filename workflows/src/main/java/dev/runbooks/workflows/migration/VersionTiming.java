package dev.runbooks.workflows.migration;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one migration (or its down script) took, and how much of that it waited for locks
 * (sampled from pg_stat_activity while it ran).
 */
public record VersionTiming(String version, Duration duration, Duration lockWait) {
  public VersionTiming {
    Objects.requireNonNull(version, "version");
    Objects.requireNonNull(duration, "duration");
    Objects.requireNonNull(lockWait, "lockWait");
  }
}
