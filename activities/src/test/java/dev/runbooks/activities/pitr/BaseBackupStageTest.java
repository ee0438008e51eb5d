package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.ClusterConnections;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.testing.PostgresExtension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A physical base backup of a real cluster into a file repository. */
class BaseBackupStageTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  static final String MARKER = "base-backup-plaintext-marker-7f3a";

  @TempDir Path dir;

  @Test
  void storesTheEncryptedTarPostgresManifestAndAPendingManifestWithTheWalRange() throws Exception {
    pg.primary()
        .execute(
            "postgres",
            "CREATE TABLE IF NOT EXISTS markers (note text)",
            "INSERT INTO markers SELECT '" + MARKER + "' FROM generate_series(1, 100)");
    FileRepository repository = new FileRepository(dir.resolve("repository"));
    BaseBackupStage stage =
        new BaseBackupStage(
            new ClusterConnections(pg.primary(), Map.of("shop", "postgres")),
            LocalKeysetKek.open(dir.resolve("kek.json")),
            new PgTool(pg.primary().binaries()),
            Clock.systemUTC());
    BackupCipher.warmUp();

    BaseBackupManifest m = stage.take(repository, "shop", "20261203T100000Z-base", "test");

    assertEquals(1, m.timeline());
    assertTrue(m.startLsn().matches("[0-9A-F]+/[0-9A-F]+"), m.startLsn());
    assertTrue(m.stopLsn().matches("[0-9A-F]+/[0-9A-F]+"), m.stopLsn());
    assertTrue(m.tarBytes() > 1_000_000, "a cluster's tar is megabytes: " + m.tarBytes());
    assertTrue(m.ciphertextBytes() < m.tarBytes(), "zstd shrinks the tar");
    List<String> keys = repository.list("shop/20261203T100000Z-base/");
    assertEquals(
        List.of(
            "shop/20261203T100000Z-base/backup_manifest.enc",
            "shop/20261203T100000Z-base/base.pending.json",
            "shop/20261203T100000Z-base/base.tar.zst.enc"),
        keys);
    BaseBackupManifest pending =
        BackupManifests.fromJsonRecord(
            new String(
                repository.get(BaseBackupLayout.pendingKey("shop", "20261203T100000Z-base")),
                StandardCharsets.UTF_8),
            BaseBackupManifest.class,
            "pending manifest");
    assertEquals(m, pending);
    byte[] marker = MARKER.getBytes(StandardCharsets.UTF_8);
    try (Stream<Path> files = Files.walk(dir.resolve("repository"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        assertFalse(contains(Files.readAllBytes(file), marker), "plaintext marker in " + file);
      }
    }
  }

  static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
