package dev.runbooks.workflows.pitr;

import java.util.Objects;

public record PhysicalBackupResult(BaseBackupSummary backup, PitrRetentionOutcome retention) {
  public PhysicalBackupResult {
    Objects.requireNonNull(backup, "backup");
  }
}
