package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.crypto.WrappedKey;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackupManifestsTest {
  private static BackupManifest manifest() {
    Map<String, Long> rows = new LinkedHashMap<>();
    rows.put("public.pgbench_tellers", 200L);
    rows.put("public.pgbench_accounts", 2_000_000L);
    return new BackupManifest(
        BackupManifest.FORMAT_VERSION,
        "20261124T020000",
        "orders",
        "orders",
        "15.14",
        "pg_dump (PostgreSQL) 15.14",
        Instant.parse("2026-11-24T02:00:00.123Z"),
        Instant.parse("2026-11-24T02:00:04.5Z"),
        DumpCompression.ZSTD.manifestName(),
        700_000_000L,
        204_000_000L,
        "a".repeat(64),
        204_196_000L,
        "b".repeat(64),
        new WrappedKey("local:12345", "AQID"),
        rows,
        List.of("TABLE public pgbench_tellers", "TABLE public pgbench_accounts"),
        InventoryQueries.CURRENT);
  }

  @Test
  void aManifestSurvivesJson() {
    BackupManifest manifest = manifest();
    String json = BackupManifests.toJson(manifest);

    assertEquals(manifest, BackupManifests.fromJson(json));
    assertTrue(json.contains("\"startedAt\" : \"2026-11-24T02:00:00.123Z\""), json);
    assertTrue(json.contains("\"kekId\" : \"local:12345\""), json);
    // Sorted, so one backup always serialises to the same bytes.
    assertTrue(
        json.indexOf("pgbench_accounts\" : 2000000") < json.indexOf("pgbench_tellers\" : 200"),
        json);
    assertEquals(
        List.of("TABLE public pgbench_accounts", "TABLE public pgbench_tellers"),
        manifest.objects());
    assertEquals(json, BackupManifests.toJson(BackupManifests.fromJson(json)));
  }

  @Test
  void aVerdictSurvivesJson() {
    DrillVerdict verdict =
        new DrillVerdict(
            "20261124T020000",
            false,
            List.of("public.pgbench_accounts: 2000000 rows in the manifest, 1999999 restored"),
            Duration.ofMillis(42_500),
            Instant.parse("2026-11-24T03:00:00Z"),
            "restore-drill-orders-20261124T030000");
    String json = BackupManifests.toJson(verdict);
    assertTrue(json.contains("\"restoreDuration\" : \"PT42.5S\""), json);
    assertEquals(verdict, BackupManifests.verdictFromJson(json));
  }

  @Test
  void aManifestWrittenBeforeTheInventoryVersionListsTablesAndFunctionsOnly() {
    String json =
        BackupManifests.toJson(manifest()).replaceFirst(",\\s*\"inventoryVersion\" : \\d+", "");
    assertFalse(json.contains("inventoryVersion"), json);

    assertEquals(
        InventoryQueries.TABLES_AND_FUNCTIONS, BackupManifests.fromJson(json).inventoryVersion());
  }

  @Test
  void fieldsFromALaterVersionOfTheSameFormatAreIgnored() {
    String json =
        BackupManifests.toJson(manifest())
            .replaceFirst("\\{", "{\n  \"writtenBy\" : \"runbooks 9.1\",");
    assertEquals(manifest(), BackupManifests.fromJson(json));
  }

  @Test
  void aNewerFormatIsRefusedSayingSo() {
    int newer = BackupManifest.FORMAT_VERSION + 1;
    String json =
        BackupManifests.toJson(manifest())
            .replace(
                "\"formatVersion\" : " + BackupManifest.FORMAT_VERSION,
                "\"formatVersion\" : " + newer);
    CorruptedBackupException e =
        assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson(json));
    assertTrue(e.getMessage().contains("format version " + newer), e.getMessage());
  }

  @Test
  void aFormat1ManifestReadsAsAnArchivePgDumpCompressed() {
    // As the first version wrote them: no compression of the worker's, no archive size.
    String json =
        BackupManifests.toJson(manifest())
            .replace(
                "\"formatVersion\" : " + BackupManifest.FORMAT_VERSION, "\"formatVersion\" : 1")
            .replaceAll("\\s*\"compression\" : \"zstd\",", "")
            .replaceAll("\\s*\"archiveBytes\" : 700000000,", "");
    assertFalse(json.contains("compression"), json);
    assertFalse(json.contains("archiveBytes"), json);

    BackupManifest read = BackupManifests.fromJson(json);

    assertEquals(DumpCompression.PG_DUMP, read.dumpCompression());
    assertEquals(read.plaintextBytes(), read.archiveBytes());
    assertEquals(manifest().plaintextSha256(), read.plaintextSha256());
  }

  @Test
  void aCompressionThisVersionDoesNotKnowIsRefusedNamingIt() {
    String json = BackupManifests.toJson(manifest()).replace("\"zstd\"", "\"brotli\"");
    CorruptedBackupException e =
        assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson(json));
    assertTrue(e.getMessage().contains("compression brotli"), e.getMessage());
    assertTrue(e.getMessage().contains("newer one"), e.getMessage());
  }

  @Test
  void aManifestWithoutAFieldIsRefusedNamingIt() {
    String json =
        BackupManifests.toJson(manifest()).replaceAll("\\s*\"ciphertextSha256\" : \"b+\",", "");
    CorruptedBackupException e =
        assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson(json));
    assertTrue(e.getMessage().contains("ciphertextSha256"), e.getMessage());
  }

  @Test
  void somethingElseIsNotAManifest() {
    assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson("[1, 2]"));
    assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson("{\"id\": "));
    assertThrows(CorruptedBackupException.class, () -> BackupManifests.fromJson("{}"));
  }

  @Test
  void theLayoutPutsTheManifestBesideTheDump() {
    assertEquals(
        "orders/20261124T020000/dump.enc", BackupLayout.dumpKey("orders", "20261124T020000"));
    assertEquals(
        "orders/20261124T020000/manifest.json",
        BackupLayout.manifestKey("orders", "20261124T020000"));
    assertEquals(
        "orders/20261124T020000/verdict.json",
        BackupLayout.verdictKey("orders", "20261124T020000"));
  }
}
