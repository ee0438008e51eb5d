package dev.runbooks.workflows.backup;

import java.util.List;
import java.util.Objects;

/**
 * @param drill the verification's verdict; null with {@code --no-verify}
 * @param pruned backups retention deleted
 */
public record BackupResult(BackupSummary backup, DrillResult drill, List<String> pruned) {
  public BackupResult {
    Objects.requireNonNull(backup, "backup");
    pruned = List.copyOf(pruned);
  }
}
