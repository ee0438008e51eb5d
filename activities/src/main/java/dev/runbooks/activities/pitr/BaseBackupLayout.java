package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.BackupLayout;
import java.nio.charset.StandardCharsets;

/**
 * Where a physical base backup's objects live: beside the logical backups, under {@code
 * <target>/<backupId>/}: {@code base.tar.zst.enc} (pg_basebackup's tar, zstd, encrypted), {@code
 * backup_manifest.enc} (PostgreSQL's own manifest, encrypted with the same data key), {@code
 * base.pending.json} (this worker's manifest while the WAL up to the stop LSN is awaited), then
 * {@code physical.json}, written last: a base backup without it is incomplete. A PITR drill's
 * verdict goes in {@code pitr-drill.json}.
 */
public final class BaseBackupLayout {
  public static final String BASE = BackupLayout.PHYSICAL_BASE;
  public static final String PG_MANIFEST = "backup_manifest.enc";
  public static final String PENDING = "base.pending.json";
  public static final String MANIFEST = "physical.json";
  public static final String VERDICT = "pitr-drill.json";

  private BaseBackupLayout() {}

  public static String baseKey(String target, String id) {
    return BackupLayout.backupPrefix(target, id) + BASE;
  }

  public static String pgManifestKey(String target, String id) {
    return BackupLayout.backupPrefix(target, id) + PG_MANIFEST;
  }

  public static String pendingKey(String target, String id) {
    return BackupLayout.backupPrefix(target, id) + PENDING;
  }

  public static String manifestKey(String target, String id) {
    return BackupLayout.backupPrefix(target, id) + MANIFEST;
  }

  public static String verdictKey(String target, String id) {
    return BackupLayout.backupPrefix(target, id) + VERDICT;
  }

  /**
   * Binds an encrypted object to its place: a copy under another backup's or target's name fails
   * authentication instead of restoring the wrong cluster.
   */
  public static byte[] associatedData(String key) {
    return ("runbooks physical v1 " + key).getBytes(StandardCharsets.UTF_8);
  }
}
