package dev.runbooks.workflows.backup;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One backup in a repository listing.
 *
 * @param complete whether its manifest exists; incomplete backups are never restored
 * @param drillPassed the latest drill's verdict; null when never drilled
 */
public record BackupListing(
    String backupId,
    Instant startedAt,
    Instant finishedAt,
    long ciphertextBytes,
    boolean complete,
    Boolean drillPassed,
    Instant drilledAt,
    Duration restoreDuration) {
  public BackupListing {
    Objects.requireNonNull(backupId, "backupId");
  }
}
