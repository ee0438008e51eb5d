package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.crypto.WrappedKey;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.pitr.PitrRetentionOutcome;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention of dated base backups and their WAL: exactly the policy's backups and their WAL. */
class PitrRetentionStageTest {
  static final String TARGET = "orders";

  @TempDir Path dir;

  @Test
  void keepsThePolicysBaseBackupsAndTheWalFromTheOldestKeptOnDeletingTheRest() throws Exception {
    FileRepository repository = new FileRepository(dir.resolve("repo"));
    WalArchive archive =
        new WalArchive(
            repository, LocalKeysetKek.open(dir.resolve("kek.json")), TARGET, Clock.systemUTC());
    // Segments 2..9 of timeline 1; base backups starting in segments 2, 4, 6 and 8, a day apart.
    for (long segno = 2; segno <= 9; segno++) {
      archive.storeSegment(segment(new WalSegment(1, segno)));
    }
    String[] ids = {
      "20261128T020000Z-aaaa",
      "20261129T020000Z-bbbb",
      "20261130T020000Z-cccc",
      "20261201T020000Z-dddd"
    };
    for (int i = 0; i < ids.length; i++) {
      put(
          repository,
          ids[i],
          2 + 2L * i,
          Instant.parse("2026-11-28T02:00:00Z").plusSeconds(86_400L * i));
    }

    PitrRetentionOutcome outcome =
        PitrRetentionStage.apply(repository, TARGET, new RetentionPolicy(2, 0, 0), List.of(ids[3]));

    assertEquals(List.of(ids[1], ids[0]), outcome.deleted());
    assertEquals(
        List.of(ids[3], ids[2]),
        BaseBackups.complete(repository, TARGET).stream().map(BaseBackupManifest::id).toList());
    assertEquals(4, outcome.walObjectsDeleted());
    assertEquals("000000010000000000000006", outcome.walKeptFrom());
    List<String> wal = new ArrayList<>();
    for (String key : repository.list(WalArchive.prefix(TARGET))) {
      wal.add(key.substring(key.lastIndexOf('/') + 1));
    }
    assertEquals(
        List.of(
            "000000010000000000000006",
            "000000010000000000000007",
            "000000010000000000000008",
            "000000010000000000000009"),
        wal);
    assertEquals(List.of(), repository.list(TARGET + "/" + ids[0] + "/"));
    // Every kept backup stays restorable: its WAL from start to stop is held.
    WalInventory inventory = archive.inventory();
    for (BaseBackupManifest kept : BaseBackups.complete(repository, TARGET)) {
      assertEquals(true, PitrPlanner.reach(inventory, kept).isPresent(), kept.id());
    }
  }

  private Path segment(WalSegment s) throws IOException {
    Path file = dir.resolve("spool").resolve(s.name());
    Files.createDirectories(file.getParent());
    byte[] bytes = new byte[(int) WalSegment.SIZE];
    bytes[0] = (byte) s.segno();
    return Files.write(file, bytes);
  }

  private static void put(FileRepository repository, String id, long segno, Instant started)
      throws IOException {
    long start = segno * WalSegment.SIZE + 0x28;
    BaseBackupManifest m =
        new BaseBackupManifest(
            BaseBackupManifest.FORMAT_VERSION,
            id,
            TARGET,
            "15.18",
            "7300000000000000001",
            "pg_basebackup (PostgreSQL) 15.18",
            started,
            started.plusSeconds(30),
            1,
            WalSegment.formatLsn(start),
            WalSegment.formatLsn(start + 0x100),
            "zstd",
            1000,
            100,
            "00".repeat(32),
            120,
            "11".repeat(32),
            10,
            "22".repeat(32),
            new WrappedKey("local:1", "AAAA"));
    repository.put(BaseBackupLayout.baseKey(TARGET, id), new byte[] {1});
    repository.put(BaseBackupLayout.manifestKey(TARGET, id), BaseBackups.json(m));
  }
}
