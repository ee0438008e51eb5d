package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepositories;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.FailureType;
import java.time.Duration;

/** {@link BackupTargets} looked up in a configuration. */
final class ConfiguredBackupTargets implements BackupTargets {
  private final RunbooksConfig config;
  private final boolean ownsRepository;
  private BackupRepository repository;

  /**
   * @param repository null to open the configuration's {@code repository:} on first use
   */
  ConfiguredBackupTargets(RunbooksConfig config, BackupRepository repository) {
    this.config = config;
    this.repository = repository;
    this.ownsRepository = repository == null;
  }

  @Override
  public synchronized void close() {
    if (ownsRepository && repository != null) {
      repository.close();
      repository = null;
    }
  }

  @Override
  public BackupRepository repository(String target) {
    target(target);
    return repository();
  }

  @Override
  public RetentionPolicy retention(String target) {
    return target(target).retention();
  }

  @Override
  public Duration freshness(String target) {
    return target(target).backupFreshness();
  }

  private TargetConfig target(String name) {
    try {
      return config.target(name);
    } catch (ConfigException e) {
      throw FailureType.BAD_INPUT.failure(e.getMessage());
    }
  }

  private synchronized BackupRepository repository() {
    if (repository == null) {
      if (config.repository() == null) {
        throw FailureType.BAD_INPUT.failure(
            "no backup repository is configured in "
                + config.file()
                + ": set repository: file:///var/lib/runbooks/backups (a local directory) or"
                + " repository: s3://BUCKET/PREFIX, then restart the worker");
      }
      try {
        repository = BackupRepositories.open(config.repository());
      } catch (IllegalArgumentException e) {
        throw FailureType.BAD_INPUT.failure(
            "the backup repository in " + config.file() + " cannot be opened: " + e.getMessage());
      }
    }
    return repository;
  }
}
