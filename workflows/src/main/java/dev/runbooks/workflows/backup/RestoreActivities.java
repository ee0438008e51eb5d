package dev.runbooks.workflows.backup;

import io.temporal.activity.ActivityInterface;

/** The side effects of restore drills and incident restores. Each can run twice safely. */
@ActivityInterface
public interface RestoreActivities {
  /**
   * The id of the backup to restore: {@code backupId} when given and complete, else the target's
   * newest complete backup. A backup without a manifest is incomplete and never offered.
   */
  String resolveBackup(DrillRequest request);

  /**
   * Downloads the backup, checks its ciphertext SHA-256 against the manifest, decrypts it
   * (authenticated: a flipped byte is CORRUPTED_BACKUP) and pipes it into {@code pg_restore} in a
   * new database. Heartbeats with bytes done.
   */
  RestoreOutcome restoreBackup(RestoreInput input);

  /** Compares every table's row count and the object list with the manifest. */
  Comparison compareWithManifest(RestoreInput input);

  /** Drops the database if it exists. */
  void dropRestoredDatabase(RestoreInput input);

  /** Writes the drill's verdict beside the backup's manifest. */
  void recordDrillVerdict(DrillVerdictInput input);
}
