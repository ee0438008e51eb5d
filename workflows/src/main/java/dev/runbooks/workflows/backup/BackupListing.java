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

  /** A backup without a manifest (interrupted, or still being written): never restored. */
  public static BackupListing incomplete(String backupId, long ciphertextBytes) {
    return new BackupListing(backupId, null, null, ciphertextBytes, false, null, null, null);
  }

  /** A complete backup that was never drilled; {@link #drilled} adds a drill's verdict. */
  public static BackupListing complete(
      String backupId, Instant startedAt, Instant finishedAt, long ciphertextBytes) {
    return new BackupListing(
        backupId, startedAt, finishedAt, ciphertextBytes, true, null, null, null);
  }

  /** This listing with the latest drill's verdict. */
  public BackupListing drilled(boolean passed, Instant at, Duration restoreDuration) {
    return new BackupListing(
        backupId, startedAt, finishedAt, ciphertextBytes, complete, passed, at, restoreDuration);
  }
}
