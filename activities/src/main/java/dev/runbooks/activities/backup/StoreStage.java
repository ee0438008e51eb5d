package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.BackupSummary;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store side of the dump step: a backup run again is returned as it is when complete, and its
 * leftovers removed when not; deletions go manifest first, so no manifest ever promises a dump that
 * is gone.
 */
final class StoreStage {
  private static final Logger log = LoggerFactory.getLogger(StoreStage.class);

  private final BackupTargets targets;
  private final DumpStage dump;
  private final KeyEncryptionKey kek;

  /**
   * The keyset each backup's dump created ({@code target/id} to its file), so a backup run again is
   * returned with its notice as the first time.
   */
  private final Map<String, String> newKeysets = new ConcurrentHashMap<>();

  StoreStage(BackupTargets targets, DumpStage dump, KeyEncryptionKey kek) {
    this.targets = targets;
    this.dump = dump;
    this.kek = kek;
  }

  BackupSummary dumpDatabase(BackupInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String context = "backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    return Faults.call(
        context,
        repository,
        () -> {
          Optional<BackupManifest> done = StoredBackups.manifestIfComplete(repository, target, id);
          if (done.isPresent()) {
            log.info("{} is complete already; returning it as it is", context);
            return summary(repository, done.get(), newKeysets.get(target + "/" + id));
          }
          int removed = discardLeftovers(repository, target, id);
          if (removed > 0) {
            log.info("{}: removed {} leftovers of an earlier attempt", context, removed);
          }
          BackupManifest manifest = dump.dump(repository, target, id, context);
          log.info(
              "{}: {} bytes dumped, {} compressed ({}), {} stored in {}",
              context,
              manifest.archiveBytes(),
              manifest.plaintextBytes(),
              manifest.compression(),
              manifest.ciphertextBytes(),
              StoredBackups.location(repository, target, id));
          String newKeyset = kek.takeNewKeyset();
          if (newKeyset != null) {
            newKeysets.put(target + "/" + id, newKeyset);
          }
          return summary(repository, manifest, newKeyset);
        });
  }

  void discardIncompleteBackup(BackupInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String context = "backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    Faults.run(
        context,
        repository,
        () -> {
          if (repository.exists(BackupLayout.manifestKey(target, id))) {
            log.info("{} is complete: kept", context);
            return;
          }
          int removed = discardLeftovers(repository, target, id);
          log.info("{} was incomplete: removed {} objects and uploads", context, removed);
        });
  }

  /** Removes every object and incomplete upload of a backup; its manifest goes first. */
  private static int discardLeftovers(BackupRepository repository, String target, String id)
      throws IOException {
    String prefix = BackupLayout.backupPrefix(target, id);
    int removed = repository.cleanupIncomplete(prefix);
    List<String> keys = repository.list(prefix);
    for (String key : keys) {
      repository.delete(key);
    }
    return removed + keys.size();
  }

  /**
   * Deletes a backup, manifest first: a deletion cut short leaves an incomplete backup, never a
   * manifest that promises a dump that is gone.
   */
  static void deleteBackup(BackupRepository repository, String target, String id)
      throws IOException {
    repository.delete(BackupLayout.manifestKey(target, id));
    for (String key : repository.list(BackupLayout.backupPrefix(target, id))) {
      repository.delete(key);
    }
  }

  private static BackupSummary summary(
      BackupRepository repository, BackupManifest m, String newKeyset) {
    return new BackupSummary(
        m.id(),
        m.target(),
        StoredBackups.location(repository, m.target(), m.id()),
        m.startedAt(),
        m.finishedAt(),
        m.plaintextBytes(),
        m.ciphertextBytes(),
        m.ciphertextSha256(),
        m.rowCounts().size(),
        m.rowCounts().values().stream().mapToLong(Long::longValue).sum(),
        newKeyset);
  }
}
