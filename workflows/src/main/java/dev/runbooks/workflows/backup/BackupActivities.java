package dev.runbooks.workflows.backup;

import io.temporal.activity.ActivityInterface;

/** The side effects of the backup runbook. Each can run twice safely. */
@ActivityInterface
public interface BackupActivities {
  /**
   * Streams {@code pg_dump -Fc} through SHA-256 and envelope encryption into the repository, reads
   * per-table row counts and the object list in the dump's snapshot, and writes the manifest last.
   * Heartbeats with bytes done. Run again for the same backup: a complete one is returned as it is;
   * leftovers of an incomplete one are removed and the dump starts over.
   */
  BackupSummary dumpDatabase(BackupInput input);

  /** Removes every object of the backup when it has no manifest; a complete backup is kept. */
  void discardIncompleteBackup(BackupInput input);

  /** Deletes the target's backups the policy does not keep; returns what it deleted and kept. */
  RetentionOutcome applyRetention(RetentionInput input);

  /** The target's backups, newest first, with their drill verdicts. */
  BackupCatalog listBackups(String target);
}
