package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.FailureType;
import java.time.Duration;
import java.util.Set;

/** Backup targets of a test: every one in the same repository, with the same policy. */
public final class FixedTargets implements BackupTargets {
  private final Set<String> names;
  private final BackupRepository repository;
  private final RetentionPolicy retention;
  private final Duration freshness;

  public FixedTargets(
      Set<String> names,
      BackupRepository repository,
      RetentionPolicy retention,
      Duration freshness) {
    this.names = Set.copyOf(names);
    this.repository = repository;
    this.retention = retention;
    this.freshness = freshness;
  }

  @Override
  public BackupRepository repository(String target) {
    check(target);
    return repository;
  }

  @Override
  public RetentionPolicy retention(String target) {
    check(target);
    return retention;
  }

  @Override
  public Duration freshness(String target) {
    check(target);
    return freshness;
  }

  private void check(String target) {
    if (!names.contains(target)) {
      throw FailureType.BAD_INPUT.failure(
          "unknown target \"" + target + "\"; known targets: " + String.join(", ", names));
    }
  }
}
