package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.time.Duration;
import java.util.Objects;

/**
 * What the backup and restore activities need to know about a target besides its connections: where
 * its backups are and how long they are kept. Unknown targets are refused with a non-retryable
 * BAD_INPUT failure that names the known ones.
 */
public interface BackupTargets extends AutoCloseable {
  /**
   * The repository holding the target's backups (under {@code <target>/}). The activities share it
   * and never close it: its owner (the worker) does.
   */
  BackupRepository repository(String target);

  /** Which of the target's backups retention keeps when a run names no policy. */
  RetentionPolicy retention(String target);

  /** The newest verified backup must be younger than this; null when unset. */
  Duration freshness(String target);

  /**
   * The targets of a configuration, their backups in its {@code repository:}, opened on first use
   * (so a worker without a repository still runs the other runbooks) and kept open.
   */
  static BackupTargets fromConfig(RunbooksConfig config) {
    Objects.requireNonNull(config, "config");
    return new ConfiguredBackupTargets(config, null);
  }

  /** The targets of a configuration, their backups in {@code repository}. */
  static BackupTargets of(RunbooksConfig config, BackupRepository repository) {
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(repository, "repository");
    return new ConfiguredBackupTargets(config, repository);
  }

  /** Closes the repository this opened itself; a repository handed in stays open. */
  @Override
  default void close() {}
}
