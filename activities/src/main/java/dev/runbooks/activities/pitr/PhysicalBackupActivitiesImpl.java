package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.Faults;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.pitr.BaseBackupSummary;
import dev.runbooks.workflows.pitr.PhysicalBackupActivities;
import dev.runbooks.workflows.pitr.PitrRetentionOutcome;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The physical backup runbook's side effects: {@link BaseBackupStage}, {@link BaseBackupCompletion}
 * and {@link PitrRetentionStage}.
 */
public final class PhysicalBackupActivitiesImpl implements PhysicalBackupActivities {
  private static final Logger log = LoggerFactory.getLogger(PhysicalBackupActivitiesImpl.class);

  /** How long a base backup waits for the archive to hold its WAL before it is given up. */
  public static final Duration WAL_WAIT = Duration.ofMinutes(10);

  private final BackupTargets targets;
  private final BaseBackupStage base;
  private final BaseBackupCompletion completion;

  public PhysicalBackupActivitiesImpl(BackupWiring wiring, Duration walWait) {
    this.targets = wiring.targets();
    this.base =
        new BaseBackupStage(wiring.connections(), wiring.kek(), wiring.tools(), wiring.clock());
    this.completion = new BaseBackupCompletion(wiring.kek(), wiring.clock(), walWait);
  }

  @Override
  public BaseBackupSummary takeBaseBackup(BackupInput input) {
    String context = context(input);
    BackupRepository repository = targets.repository(input.target());
    return Faults.call(
        context,
        repository,
        () -> {
          Optional<BaseBackupManifest> done = stored(repository, input);
          if (done.isPresent()) {
            return summary(repository, done.get());
          }
          removeLeftovers(repository, input);
          return summary(
              repository, base.take(repository, input.target(), input.backupId(), context));
        });
  }

  @Override
  public BaseBackupSummary completeBaseBackup(BackupInput input) {
    String context = context(input);
    BackupRepository repository = targets.repository(input.target());
    return Faults.call(
        context,
        repository,
        () -> {
          Optional<BaseBackupManifest> complete =
              BaseBackups.manifest(repository, input.target(), input.backupId());
          if (complete.isPresent()) {
            return summary(repository, complete.get());
          }
          BaseBackupManifest pending =
              BaseBackups.pending(repository, input.target(), input.backupId())
                  .orElseThrow(
                      () ->
                          FailureType.NOT_FOUND.failure(
                              context
                                  + " has no pending manifest: its base backup step never"
                                  + " finished. Take a new base backup"));
          return summary(repository, completion.complete(repository, pending));
        });
  }

  @Override
  public void discardIncompleteBaseBackup(BackupInput input) {
    BackupRepository repository = targets.repository(input.target());
    Faults.run(
        context(input),
        repository,
        () -> {
          if (BaseBackups.manifest(repository, input.target(), input.backupId()).isEmpty()) {
            removeLeftovers(repository, input);
          }
        });
  }

  @Override
  public PitrRetentionOutcome applyPitrRetention(RetentionInput input) {
    BackupRepository repository = targets.repository(input.target());
    return Faults.call(
        "physical retention of target " + input.target(),
        repository,
        () ->
            PitrRetentionStage.apply(
                repository,
                input.target(),
                input.policy() != null ? input.policy() : targets.retention(input.target()),
                input.protectedIds()));
  }

  private static Optional<BaseBackupManifest> stored(BackupRepository repository, BackupInput in)
      throws IOException {
    Optional<BaseBackupManifest> complete =
        BaseBackups.manifest(repository, in.target(), in.backupId());
    return complete.isPresent()
        ? complete
        : BaseBackups.pending(repository, in.target(), in.backupId());
  }

  private static void removeLeftovers(BackupRepository repository, BackupInput input)
      throws IOException {
    String prefix = BackupLayout.backupPrefix(input.target(), input.backupId());
    int removed = repository.cleanupIncomplete(prefix);
    for (String key : repository.list(prefix)) {
      repository.delete(key);
      removed++;
    }
    if (removed > 0) {
      log.info("{}: removed {} leftovers", context(input), removed);
    }
  }

  private static String context(BackupInput input) {
    return "physical backup " + input.backupId() + " of target " + input.target();
  }

  static BaseBackupSummary summary(BackupRepository repository, BaseBackupManifest m) {
    String location = repository.describe();
    return new BaseBackupSummary(
        m.id(),
        m.target(),
        (location.endsWith("/") ? location : location + "/") + m.target() + "/" + m.id(),
        m.timeline(),
        m.startLsn(),
        m.stopLsn(),
        m.startedAt(),
        m.finishedAt(),
        m.tarBytes(),
        m.ciphertextBytes(),
        m.ciphertextSha256());
  }
}
