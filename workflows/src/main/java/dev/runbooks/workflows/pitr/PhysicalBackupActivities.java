package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionInput;
import io.temporal.activity.ActivityInterface;

/** The side effects of the physical backup runbook. Each can run twice safely. */
@ActivityInterface
public interface PhysicalBackupActivities {
  /**
   * Streams {@code pg_basebackup -Ft -X none} through zstd and envelope encryption into the
   * repository, keeps PostgreSQL's backup_manifest, and writes a pending manifest with the start
   * and stop LSN. Heartbeats with bytes done. Run again: a complete or pending backup is returned
   * as it is; leftovers of an interrupted one are removed and it starts over.
   */
  BaseBackupSummary takeBaseBackup(BackupInput input);

  /**
   * Waits (bounded, heartbeating) until the target's WAL archive holds the WAL up to the backup's
   * stop LSN, then writes its manifest: only then is the base backup complete.
   */
  BaseBackupSummary completeBaseBackup(BackupInput input);

  /** Removes every object of the base backup when it is not complete; a complete one is kept. */
  void discardIncompleteBaseBackup(BackupInput input);

  /**
   * Deletes the target's base backups the policy does not keep, then the WAL older than what the
   * oldest kept base backup needs.
   */
  PitrRetentionOutcome applyPitrRetention(RetentionInput input);
}
