package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A target's physical base backups as the repository holds them. */
final class BaseBackups {
  private static final Logger log = LoggerFactory.getLogger(BaseBackups.class);

  /** Newest first, by stop time then id. */
  static final Comparator<BaseBackupManifest> NEWEST_FIRST =
      Comparator.comparing(BaseBackupManifest::finishedAt)
          .thenComparing(BaseBackupManifest::id)
          .reversed();

  private BaseBackups() {}

  /** The complete base backups of {@code target}, newest first; unreadable ones are skipped. */
  static List<BaseBackupManifest> complete(BackupRepository repository, String target)
      throws IOException {
    List<BaseBackupManifest> backups = new ArrayList<>();
    for (String key : repository.list(BackupLayout.targetPrefix(target))) {
      if (!key.endsWith("/" + BaseBackupLayout.MANIFEST)) {
        continue;
      }
      try {
        backups.add(read(repository, key));
      } catch (ObjectNotFoundException raced) {
        // deleted meanwhile by retention
      } catch (CorruptedBackupException e) {
        log.warn("skipping the base backup at {}: {}", key, e.getMessage());
      }
    }
    backups.sort(NEWEST_FIRST);
    return backups;
  }

  /** The manifest of a complete base backup, if it is complete. */
  static Optional<BaseBackupManifest> manifest(
      BackupRepository repository, String target, String id) throws IOException {
    return readIfThere(repository, BaseBackupLayout.manifestKey(target, id));
  }

  /** The pending manifest of a base backup that waits for its WAL, if there is one. */
  static Optional<BaseBackupManifest> pending(BackupRepository repository, String target, String id)
      throws IOException {
    return readIfThere(repository, BaseBackupLayout.pendingKey(target, id));
  }

  static byte[] json(BaseBackupManifest manifest) {
    return BackupManifests.toJsonRecord(manifest).getBytes(StandardCharsets.UTF_8);
  }

  private static Optional<BaseBackupManifest> readIfThere(BackupRepository repository, String key)
      throws IOException {
    try {
      return Optional.of(read(repository, key));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  private static BaseBackupManifest read(BackupRepository repository, String key)
      throws IOException {
    return BackupManifests.fromJsonRecord(
        new String(repository.get(key), StandardCharsets.UTF_8),
        BaseBackupManifest.class,
        "physical backup manifest " + key);
  }
}
