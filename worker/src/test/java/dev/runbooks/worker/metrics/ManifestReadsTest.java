package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifest;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.DrillVerdict;
import dev.runbooks.activities.backup.DumpCompression;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A complete backup's manifest never changes, so a refresh of the figures lists the repository and
 * reads only the manifests it has not read yet; a drill verdict can be written again (a new drill
 * of the same backup), so it is read every time.
 */
class ManifestReadsTest {
  private static final Instant FIRST = Instant.parse("2026-01-01T02:00:00Z");

  @TempDir Path dir;

  @Test
  void aSecondRefreshReadsNoManifestAlreadyRead() throws Exception {
    FileRepository files = new FileRepository(dir.resolve("backups"));
    Counting counting = new Counting(files);
    for (int b = 0; b < 3; b++) {
      backup(files, b);
    }
    verdict(files, 0, true);
    Path yaml =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\n");
    ConfigSource source = ConfigSource.fixed(ConfigLoader.load(yaml, Map.of()));
    try (ConfiguredRepositories repositories =
        new ConfiguredRepositories(source, config -> BackupTargets.of(config, counting))) {
      TargetRecoverability first = repositories.read("orders");
      assertEquals(3, first.completeBackups());
      assertEquals(3, counting.manifestReads().size(), counting.reads.toString());

      counting.reads.clear();
      backup(files, 3);
      // A drill of the newest backup but one: verdicts are read again, so the figures follow it.
      verdict(files, 2, true);
      TargetRecoverability second = repositories.read("orders");
      assertEquals(4, second.completeBackups());
      assertEquals(FIRST.plus(Duration.ofDays(3)), second.newestBackup());
      assertEquals(FIRST.plus(Duration.ofDays(2)), second.newestVerified());
      assertEquals(
          List.of(BackupLayout.manifestKey("orders", id(3))),
          counting.manifestReads(),
          "a refresh read manifests it had read before: " + counting.reads);

      counting.reads.clear();
      files.delete(BackupLayout.manifestKey("orders", id(3)));
      verdict(files, 2, false);
      TargetRecoverability third = repositories.read("orders");
      assertEquals(3, third.completeBackups(), "a deleted manifest still counted");
      assertEquals(FIRST.plus(Duration.ofDays(2)), third.newestBackup());
      assertEquals(FIRST, third.newestVerified(), "a new verdict of a drilled backup was missed");
      assertTrue(counting.manifestReads().isEmpty(), counting.reads.toString());
    }
  }

  private void backup(FileRepository files, int b) throws IOException {
    Instant started = FIRST.plus(Duration.ofDays(b));
    String id = id(b);
    files.put(BackupLayout.dumpKey("orders", id), new byte[] {1, 2, 3});
    BackupManifest manifest =
        new BackupManifest(
            BackupManifest.FORMAT_VERSION,
            id,
            "orders",
            "orders",
            "15",
            "pg_dump (PostgreSQL) 15",
            started,
            started.plusSeconds(30),
            DumpCompression.PG_DUMP.manifestName(),
            3,
            3,
            "00",
            3,
            "00",
            new BackupCipher()
                .newDataKey(LocalKeysetKek.open(dir.resolve("keyset.json")))
                .wrapped(),
            Map.of("public.events", 1L),
            List.of("TABLE public events postgres"),
            2);
    files.put(
        BackupLayout.manifestKey("orders", id),
        BackupManifests.toJson(manifest).getBytes(StandardCharsets.UTF_8));
  }

  private static void verdict(FileRepository files, int b, boolean passed) throws IOException {
    DrillVerdict verdict =
        new DrillVerdict(
            id(b),
            passed,
            List.of(),
            Duration.ofSeconds(7),
            Instant.now(),
            "restore-drill-orders-" + id(b));
    files.put(
        BackupLayout.verdictKey("orders", id(b)),
        BackupManifests.toJson(verdict).getBytes(StandardCharsets.UTF_8));
  }

  private static String id(int b) {
    return "20260101T020000Z-000" + b;
  }

  /** A repository that records the keys read whole. */
  private static final class Counting extends ForwardingRepository {
    final List<String> reads = Collections.synchronizedList(new ArrayList<>());

    Counting(FileRepository delegate) {
      super(delegate);
    }

    @Override
    public byte[] get(String key) throws IOException {
      reads.add(key);
      return super.get(key);
    }

    List<String> manifestReads() {
      synchronized (reads) {
        return reads.stream().filter(k -> k.endsWith("/" + BackupLayout.MANIFEST)).toList();
      }
    }
  }
}
