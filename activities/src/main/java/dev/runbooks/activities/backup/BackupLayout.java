package dev.runbooks.activities.backup;

import java.nio.charset.StandardCharsets;

/**
 * Where a backup's objects live in a repository: {@code <target>/<backupId>/dump.enc}, then {@code
 * manifest.json} (written last: a backup without one is incomplete), and {@code verdict.json} once
 * a restore drill has judged it.
 */
public final class BackupLayout {
  public static final String DUMP = "dump.enc";
  public static final String MANIFEST = "manifest.json";
  public static final String VERDICT = "verdict.json";

  /**
   * The object every physical base backup has (see {@code pitr.BaseBackupLayout}): a directory
   * holding it is not a logical backup, and neither is {@link #WAL_DIRECTORY}.
   */
  public static final String PHYSICAL_BASE = "base.tar.zst.enc";

  /** The target's WAL archive, beside its backups. */
  public static final String WAL_DIRECTORY = "wal";

  private BackupLayout() {}

  /** Every backup of a target is under this prefix. */
  public static String targetPrefix(String target) {
    return target + "/";
  }

  /** Every object of one backup is under this prefix. */
  public static String backupPrefix(String target, String backupId) {
    return target + "/" + backupId + "/";
  }

  public static String dumpKey(String target, String backupId) {
    return backupPrefix(target, backupId) + DUMP;
  }

  public static String manifestKey(String target, String backupId) {
    return backupPrefix(target, backupId) + MANIFEST;
  }

  public static String verdictKey(String target, String backupId) {
    return backupPrefix(target, backupId) + VERDICT;
  }

  /**
   * The associated data that binds a dump's ciphertext to its place: a {@code dump.enc} copied
   * under another backup's name, or another target's, fails authentication instead of restoring the
   * wrong data. Encryption and decryption must both use this.
   */
  public static byte[] associatedData(String target, String backupId) {
    return ("runbooks backup v1 " + dumpKey(target, backupId)).getBytes(StandardCharsets.UTF_8);
  }
}
