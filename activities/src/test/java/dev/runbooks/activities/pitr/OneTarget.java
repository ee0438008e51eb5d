package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.time.Duration;

/** The archiver's one test target, in one repository. */
record OneTarget(BackupRepository repository) implements BackupTargets {
  @Override
  public BackupRepository repository(String target) {
    return repository;
  }

  @Override
  public RetentionPolicy retention(String target) {
    return new RetentionPolicy(7, 0, 0);
  }

  @Override
  public Duration freshness(String target) {
    return null;
  }
}
