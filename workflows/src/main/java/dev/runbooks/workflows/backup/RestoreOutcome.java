package dev.runbooks.workflows.backup;

import java.time.Duration;
import java.util.Objects;

/**
 * @param duration the restore's wall time: the measured recovery time
 */
public record RestoreOutcome(String backupId, String database, long bytes, Duration duration) {
  public RestoreOutcome {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(duration, "duration");
  }
}
