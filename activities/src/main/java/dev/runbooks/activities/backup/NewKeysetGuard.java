package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.crypto.KeysetCreation;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Allows a new local keyset only while the targets' repository holds no complete backup of any
 * target: once backups exist, a missing keyset is a configuration error that names the key they
 * need, never a reason to make a new key (which would make every old backup look broken).
 */
public final class NewKeysetGuard implements KeysetCreation {
  private final BackupTargets targets;
  private final List<String> targetNames;

  /**
   * @param targetNames the configured targets, to find their repositories by
   */
  public NewKeysetGuard(BackupTargets targets, Collection<String> targetNames) {
    this.targets = Objects.requireNonNull(targets, "targets");
    this.targetNames = List.copyOf(targetNames);
  }

  @Override
  public void check(Path file) {
    Set<BackupRepository> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    for (String target : targetNames) {
      BackupRepository repository = targets.repository(target);
      if (!seen.add(repository)) {
        continue;
      }
      Map<String, List<String>> backupsByKey = backupsByKey(repository);
      if (!backupsByKey.isEmpty()) {
        throw new PermanentBackupException(
            FailureType.BAD_INPUT, refusal(file, repository, backupsByKey));
      }
    }
  }

  /**
   * Key id to the complete backups ({@code target/id}) whose data keys it wrapped, read from their
   * manifests.
   *
   * @throws TransientBackupException when the repository cannot be listed
   */
  public static Map<String, List<String>> backupsByKey(BackupRepository repository) {
    Map<String, List<String>> byKey = new TreeMap<>();
    try {
      for (String key : repository.list("")) {
        if (!key.endsWith("/" + BackupLayout.MANIFEST)) {
          continue;
        }
        String backup = key.substring(0, key.length() - BackupLayout.MANIFEST.length() - 1);
        String keyId;
        try {
          keyId =
              BackupManifests.fromJson(new String(repository.get(key), StandardCharsets.UTF_8))
                  .wrappedKey()
                  .kekId();
        } catch (CorruptedBackupException e) {
          keyId = "an unknown key (unreadable manifest)";
        }
        byKey.computeIfAbsent(keyId, k -> new ArrayList<>()).add(backup);
      }
    } catch (IOException e) {
      throw new TransientBackupException(
          "could not list "
              + repository.describe()
              + " to learn whether a new backup key may be made: "
              + e.getMessage()
              + "; the activity will be retried",
          e);
    }
    return byKey;
  }

  private static String refusal(
      Path file, BackupRepository repository, Map<String, List<String>> backupsByKey) {
    List<String> keys = new ArrayList<>();
    backupsByKey.forEach(
        (keyId, backups) ->
            keys.add(
                keyId
                    + " ("
                    + backups.size()
                    + (backups.size() == 1 ? " backup: " : " backups, such as ")
                    + backups.get(backups.size() - 1)
                    + ")"));
    return "the backup key file "
        + file
        + " does not exist, but "
        + repository.describe()
        + " already holds backups encrypted with key "
        + String.join(" and ", keys)
        + ": put the keyset that holds that key back at "
        + file
        + " (from your copy), or set encryption: to where it is. A new keyset is made only for a"
        + " repository without backups, so a lost key is never silently replaced";
  }
}
