package dev.runbooks.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.WrappedKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.pitr.BaseBackupLayout;
import dev.runbooks.activities.pitr.WalArchive;
import dev.runbooks.testing.ServerUser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * The floor's own copies of what the runbook restores from: the base backup's tar and the archive's
 * WAL, decrypted onto local disk once, so the floor measures untar and replay only.
 */
final class PitrFloorFiles {
  private static final Pattern WAL_FILE = Pattern.compile("[0-9A-F]{24}|[0-9A-F]{8}\\.history");

  private PitrFloorFiles() {}

  /** Decrypts base backup {@code id}'s tar into {@code into} (still zstd-compressed). */
  static void decryptBase(BackupRepository repository, KeyEncryptionKey kek, String id, Path into)
      throws IOException {
    String baseKey = BaseBackupLayout.baseKey(PitrRuns.TARGET, id);
    byte[] manifest = repository.get(BaseBackupLayout.manifestKey(PitrRuns.TARGET, id));
    WrappedKey key =
        new ObjectMapper()
            .treeToValue(
                new ObjectMapper().readTree(manifest).path("wrappedKey"), WrappedKey.class);
    try (InputStream encrypted = repository.open(baseKey);
        InputStream plain =
            new BackupCipher()
                .decrypt(encrypted, key, kek, BaseBackupLayout.associatedData(baseKey))) {
      Files.copy(plain, into);
    }
  }

  /** Every WAL file the archive holds (no partials), decrypted into {@code dir} for the server. */
  static Path exportWal(BackupRepository repository, WalArchive archive, Path dir)
      throws IOException {
    Files.createDirectories(dir);
    ServerUser user = ServerUser.current();
    for (String key : repository.list(WalArchive.prefix(PitrRuns.TARGET))) {
      String name = key.substring(key.lastIndexOf('/') + 1);
      if (!WAL_FILE.matcher(name).matches()) {
        continue; // partials: the restore point is in a complete segment
      }
      Path file = dir.resolve(name);
      archive.fetch(name, file);
      user.own(file);
    }
    user.own(dir);
    return dir;
  }

  /**
   * Removes base backup {@code id} of {@code target}: its manifest first, so it stops being
   * restorable before anything else of it goes.
   */
  static void removeBackup(BackupRepository repository, String target, String id)
      throws IOException {
    repository.delete(BaseBackupLayout.manifestKey(target, id));
    for (String key : repository.list(BackupLayout.backupPrefix(target, id))) {
      repository.delete(key);
    }
  }
}
