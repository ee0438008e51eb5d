package dev.runbooks.workflows.backup;

import io.temporal.activity.ActivityInterface;
import java.util.List;

/** Which backups of a target an open run depends on, so that retention never deletes them. */
@ActivityInterface
public interface BackupsInUseActivities {
  /**
   * The backups of {@code target} that the run holding its lock references through {@link
   * BackupReferences}: none when no run holds the lock, or when the holder is a runbook that uses
   * no backups.
   */
  List<String> backupsInUse(String target);
}
