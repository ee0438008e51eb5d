package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.count;
import static dev.runbooks.activities.backup.Harness.databaseExists;
import static dev.runbooks.activities.backup.Harness.drill;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups and restore drills of real databases through a file repository: a round trip that matches
 * its manifest, the plaintext that never reaches the repository, idempotent retries, and every bad
 * input and fault the issue names, each with its failure type and message.
 */
class BackupRestoreTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  static final String SHOP = "shop";
  static final String BIG = "big";

  /** Target name to database name. */
  static final Map<String, String> TARGETS = Map.of(SHOP, "shop", BIG, "big");

  @TempDir Path dir;

  private FileRepository repository;
  private LocalKeysetKek kek;
  private Harness harness;

  @BeforeAll
  static void databases() throws Exception {
    SampleDatabases.createShop(pg.primary(), "shop");
    SampleDatabases.createBig(pg.primary(), "big");
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    repository = new FileRepository(dir.resolve("repository"));
    kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    harness = harness(kek);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private Harness harness(LocalKeysetKek restoreKek) {
    return new Harness(
        new ClusterConnections(pg.primary(), TARGETS),
        new FixedTargets(
            TARGETS.keySet(), repository, RetentionPolicy.keepEverything(), Duration.ofHours(26)),
        kek,
        restoreKek,
        pg.primary().binaries(),
        Clock.systemUTC());
  }

  private LocalCluster cluster() {
    return pg.primary();
  }

  // ---- the round trip

  @Test
  void aBackupRestoresIntoAScratchDatabaseThatMatchesItsManifest() throws Exception {
    String id = "20261124T020000Z-1a2b";
    BackupSummary summary = harness.backups.dumpDatabase(backup(SHOP, id));

    assertEquals(id, summary.backupId());
    assertEquals(SHOP, summary.target());
    assertEquals(repository.describe() + SHOP + "/" + id, summary.location());
    assertEquals(3, summary.tables());
    assertEquals(
        SampleDatabases.CUSTOMERS + SampleDatabases.ORDERS + SampleDatabases.ORDER_LINES,
        summary.rows());
    assertTrue(summary.plaintextBytes() > 0, summary::toString);
    assertTrue(summary.ciphertextBytes() > summary.plaintextBytes(), summary::toString);
    assertFalse(summary.finishedAt().isBefore(summary.startedAt()), summary::toString);
    assertEquals(
        List.of(SHOP + "/" + id + "/dump.enc", SHOP + "/" + id + "/manifest.json"),
        repository.list(SHOP + "/"));
    assertTrue(
        harness.heartbeats.stream()
            .anyMatch(p -> p.step().equals("dump") && p.unit().equals("bytes")),
        harness.heartbeats::toString);

    BackupManifest manifest = manifest(SHOP, id);
    assertEquals(
        Map.of(
            "sales.customers", SampleDatabases.CUSTOMERS,
            "sales.orders", SampleDatabases.ORDERS,
            "public.order_lines", SampleDatabases.ORDER_LINES),
        manifest.rowCounts());
    assertEquals("shop", manifest.database());
    assertTrue(manifest.serverVersion().startsWith("15"), manifest.serverVersion());
    assertTrue(manifest.pgDumpVersion().startsWith("pg_dump (PostgreSQL) 15"));
    assertEquals(kek.keyId(), manifest.wrappedKey().kekId());
    assertEquals(summary.ciphertextSha256(), manifest.ciphertextSha256());
    for (String expected :
        List.of(
            "schema sales",
            "table sales.orders",
            "column sales.orders.total: numeric(10,2)",
            "index sales.orders_customer_idx: CREATE INDEX orders_customer_idx ON sales.orders"
                + " USING btree (customer_id)",
            "constraint sales.orders.orders_customer_id_fkey: FOREIGN KEY (customer_id)"
                + " REFERENCES sales.customers(id) ON DELETE CASCADE",
            "constraint sales.orders.orders_total_check: CHECK ((total >= (0)::numeric))",
            "sequence sales.invoice_numbers",
            "view sales.big_orders",
            "function sales.order_total(o integer) returns numeric")) {
      assertTrue(manifest.objects().contains(expected), () -> expected + " in " + manifest);
    }

    assertEquals(id, harness.restores.resolveBackup(new DrillRequest(request(SHOP), null)));
    RestoreOutcome outcome = harness.restores.restoreBackup(drill(SHOP, id, "shop_drill"));
    assertEquals(summary.plaintextBytes(), outcome.bytes());
    assertTrue(outcome.duration().compareTo(Duration.ZERO) > 0);
    assertTrue(
        harness.heartbeats.stream().anyMatch(p -> p.step().equals("restore")),
        harness.heartbeats::toString);
    // pg_restore restored every row
    assertEquals(SampleDatabases.ORDERS, count(cluster(), "shop_drill", "sales.orders"));
    assertEquals(SampleDatabases.CUSTOMERS, count(cluster(), "shop_drill", "sales.customers"));
    assertEquals(SampleDatabases.ORDER_LINES, count(cluster(), "shop_drill", "order_lines"));

    Comparison comparison = harness.restores.compareWithManifest(drill(SHOP, id, "shop_drill"));
    assertTrue(comparison.matches(), comparison::toString);
    assertEquals(3, comparison.tablesCompared());
    assertEquals(summary.rows(), comparison.rowsCompared());

    harness.restores.recordDrillVerdict(
        new DrillVerdictInput(SHOP, id, true, List.of(), outcome.duration(), "drill-shop-1"));
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_drill"));
    assertFalse(databaseExists(cluster(), "shop_drill"));

    BackupCatalog catalog = harness.backups.listBackups(SHOP);
    assertEquals(repository.describe() + SHOP, catalog.location());
    assertEquals(Duration.ofHours(26), catalog.freshnessLimit());
    BackupListing listing = catalog.backups().get(0);
    assertEquals(id, listing.backupId());
    assertTrue(listing.complete());
    assertEquals(Boolean.TRUE, listing.drillPassed());
    assertEquals(outcome.duration(), listing.restoreDuration());
    assertNotNull(listing.drilledAt());
  }

  @Test
  void aComparisonNamesEveryRowCountAndObjectThatDiffers() throws Exception {
    String id = "20261124T030000Z-diff";
    harness.backups.dumpDatabase(backup(SHOP, id));
    harness.restores.restoreBackup(drill(SHOP, id, "shop_changed"));
    cluster()
        .execute(
            "shop_changed",
            "DELETE FROM public.order_lines WHERE line <= 10",
            "DROP INDEX sales.orders_customer_idx",
            "CREATE TABLE public.extra (id int)");

    Comparison comparison = harness.restores.compareWithManifest(drill(SHOP, id, "shop_changed"));

    assertFalse(comparison.matches());
    assertEquals(
        List.of(
            "table public.order_lines: "
                + SampleDatabases.ORDER_LINES
                + " rows in the backup, "
                + (SampleDatabases.ORDER_LINES - 10)
                + " after the restore",
            "table public.extra: after the restore but not in the backup",
            "missing after the restore: index sales.orders_customer_idx: CREATE INDEX"
                + " orders_customer_idx ON sales.orders USING btree (customer_id)",
            "not in the backup: column public.extra.id: integer",
            "not in the backup: table public.extra"),
        comparison.differences());
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_changed"));
  }

  @Test
  void theStoredDumpHoldsNoPlaintext() throws Exception {
    String marker = "plaintext_marker_7f3a9c";
    cluster()
        .execute(
            "postgres",
            "CREATE DATABASE secrets",
            "COMMENT ON DATABASE secrets IS 'not dumped without --create'");
    cluster()
        .execute(
            "secrets",
            "CREATE TABLE " + marker + " (note text)",
            "COMMENT ON TABLE " + marker + " IS '" + marker + " in a comment'",
            "INSERT INTO "
                + marker
                + " SELECT '"
                + marker
                + " in a row' FROM generate_series(1, 50)");
    try (Harness secrets =
        new Harness(
            new ClusterConnections(cluster(), Map.of("secrets", "secrets")),
            new FixedTargets(Set.of("secrets"), repository, RetentionPolicy.keepEverything(), null),
            kek,
            kek,
            cluster().binaries(),
            Clock.systemUTC())) {
      String id = "20261124T040000Z-0001";
      secrets.backups.dumpDatabase(backup("secrets", id));

      byte[] stored = Files.readAllBytes(repository.root().resolve("secrets/" + id + "/dump.enc"));
      BackupManifest manifest = manifest("secrets", id);
      byte[] plaintext;
      try (InputStream in =
          new BackupCipher()
              .decrypt(
                  Files.newInputStream(repository.root().resolve("secrets/" + id + "/dump.enc")),
                  manifest.wrappedKey(),
                  kek,
                  BackupLayout.associatedData("secrets", id))) {
        plaintext = in.readAllBytes();
      }
      byte[] archive;
      try (InputStream in =
          manifest.dumpCompression().decompressing(new ByteArrayInputStream(plaintext))) {
        archive = in.readAllBytes();
      }
      assertEquals(DumpCompression.ZSTD, manifest.dumpCompression());
      assertEquals(manifest.plaintextBytes(), plaintext.length);
      assertEquals(manifest.archiveBytes(), archive.length);
      // The marker is in pg_dump's archive, in its table of contents and its rows...
      assertTrue(startsWith(archive, "PGDMP"), "the archive should be pg_dump's");
      assertTrue(
          contains(archive, marker + " in a row"), "the marker should be in the archive's rows");
      // ... and nowhere in what was stored.
      assertFalse(contains(stored, marker), "the stored dump contains the plaintext marker");
      assertFalse(contains(stored, "PGDMP"), "the stored dump starts like a pg_dump archive");
    }
  }

  @Test
  void aFormat1BackupWhoseArchivePgDumpCompressedStillRestoresAndMatches() throws Exception {
    // The first format stored pg_dump's own compressed archive, encrypted as it came, and its
    // manifest had no compression field. Made here as that version made it.
    String id = "20261124T070000Z-fmt1";
    String model = "20261124T070000Z-fmt2";
    harness.backups.dumpDatabase(backup(SHOP, model));
    BackupManifest current = manifest(SHOP, model);

    ProcessBuilder dumping =
        new ProcessBuilder(
                cluster().binaries().bin("pg_dump").toString(),
                "--format=custom",
                "-h",
                cluster().host(),
                "-p",
                String.valueOf(cluster().port()),
                "-U",
                cluster().superuser(),
                "shop")
            .redirectError(ProcessBuilder.Redirect.INHERIT);
    cluster().superuserPassword().ifPresent(p -> dumping.environment().put("PGPASSWORD", p));
    Process pgDump = dumping.start();
    byte[] archive = pgDump.getInputStream().readAllBytes();
    assertEquals(0, pgDump.waitFor());
    assertTrue(startsWith(archive, "PGDMP"));
    BackupCipher cipher = new BackupCipher();
    DataKey key = cipher.newDataKey(kek);
    String dumpKey = BackupLayout.dumpKey(SHOP, id);
    HashingOutputStream stored;
    HashingOutputStream plain;
    try (BackupUpload upload = repository.create(dumpKey)) {
      stored = new HashingOutputStream(upload);
      plain =
          new HashingOutputStream(
              cipher.encrypt(stored, key, BackupLayout.associatedData(SHOP, id)));
      plain.write(archive);
      plain.close();
      upload.commit();
    }
    String json =
        BackupManifests.toJson(
                new BackupManifest(
                    1,
                    id,
                    SHOP,
                    current.database(),
                    current.serverVersion(),
                    current.pgDumpVersion(),
                    current.startedAt(),
                    current.finishedAt(),
                    DumpCompression.PG_DUMP.manifestName(),
                    archive.length,
                    plain.digest().bytes(),
                    plain.digest().sha256(),
                    stored.digest().bytes(),
                    stored.digest().sha256(),
                    key.wrapped(),
                    current.rowCounts(),
                    current.objects(),
                    current.inventoryVersion()))
            .replaceAll("\\s*\"compression\" : \"pg_dump\",", "")
            .replaceAll("\\s*\"archiveBytes\" : \\d+,", "");
    assertFalse(json.contains("compression"), json);
    repository.put(BackupLayout.manifestKey(SHOP, id), json.getBytes(StandardCharsets.UTF_8));

    RestoreOutcome outcome = harness.restores.restoreBackup(drill(SHOP, id, "shop_format1"));
    Comparison comparison = harness.restores.compareWithManifest(drill(SHOP, id, "shop_format1"));

    assertEquals(archive.length, outcome.bytes());
    assertEquals(List.of(), comparison.differences());
    try (Connection c = cluster().connect("shop_format1");
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM sales.orders")) {
      rs.next();
      assertEquals(SampleDatabases.ORDERS, rs.getLong(1));
    }
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_format1"));
  }

  // ---- idempotency

  @Test
  void dumpingTheSameBackupTwiceReturnsItWithoutASecondDump() throws Exception {
    String id = "20261124T050000Z-twice";
    BackupSummary first = harness.backups.dumpDatabase(backup(SHOP, id));
    Path dump = repository.root().resolve(SHOP + "/" + id + "/dump.enc");
    byte[] stored = Files.readAllBytes(dump);
    harness.heartbeats.clear();

    BackupSummary second = harness.backups.dumpDatabase(backup(SHOP, id));

    assertEquals(first, second);
    assertArrayEquals(stored, Files.readAllBytes(dump));
    assertTrue(
        harness.heartbeats.stream().noneMatch(p -> p.step().equals("dump")),
        () -> "pg_dump ran again: " + harness.heartbeats);
  }

  @Test
  void aRetryRemovesWhatAKilledAttemptLeftAndSucceeds() throws Exception {
    String id = "20261124T060000Z-retry";
    String dumpKey = BackupLayout.dumpKey(SHOP, id);
    // A killed attempt: an upload written to and never committed nor aborted ...
    BackupUpload abandoned = repository.create(dumpKey);
    abandoned.write(new byte[300_000]);
    abandoned.flush();
    // ... and an older one that got as far as committing its dump but not its manifest.
    repository.put(dumpKey, "half a backup".getBytes(StandardCharsets.UTF_8));
    assertEquals(1, incompleteFiles().size());

    BackupSummary summary = harness.backups.dumpDatabase(backup(SHOP, id));

    assertEquals(List.of(), incompleteFiles());
    assertEquals(summary.ciphertextBytes(), repository.size(dumpKey).orElseThrow());
    harness.restores.restoreBackup(drill(SHOP, id, "shop_retried"));
    assertTrue(harness.restores.compareWithManifest(drill(SHOP, id, "shop_retried")).matches());
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_retried"));
  }

  @Test
  void aDrillRetryReplacesTheScratchDatabaseAnEarlierAttemptLeft() throws Exception {
    String id = "20261124T061500Z-scratch";
    harness.backups.dumpDatabase(backup(SHOP, id));
    harness.restores.restoreBackup(drill(SHOP, id, "shop_again"));
    cluster().execute("shop_again", "DELETE FROM public.order_lines");

    harness.restores.restoreBackup(drill(SHOP, id, "shop_again"));

    assertEquals(SampleDatabases.ORDER_LINES, count(cluster(), "shop_again", "order_lines"));
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_again"));
    harness.restores.dropRestoredDatabase(drill(SHOP, id, "shop_again"));
    assertFalse(databaseExists(cluster(), "shop_again"));
  }

  @Test
  void theActivitiesAlsoRunOutsideTemporalWithoutHeartbeats() throws Exception {
    ClusterConnections connections = new ClusterConnections(cluster(), TARGETS);
    FixedTargets targets =
        new FixedTargets(TARGETS.keySet(), repository, RetentionPolicy.keepEverything(), null);
    BackupWiring wiring =
        BackupWiring.of(connections, targets, kek, cluster().binaries(), Clock.systemUTC());
    BackupActivitiesImpl backups = new BackupActivitiesImpl(wiring);
    RestoreActivitiesImpl restores = new RestoreActivitiesImpl(wiring);
    String id = "20261124T070000Z-plain";

    BackupSummary summary = backups.dumpDatabase(backup(SHOP, id));
    restores.restoreBackup(drill(SHOP, id, "shop_plain"));
    Comparison comparison = restores.compareWithManifest(drill(SHOP, id, "shop_plain"));
    restores.dropRestoredDatabase(drill(SHOP, id, "shop_plain"));

    assertTrue(comparison.matches(), comparison::toString);
    assertEquals(summary.rows(), comparison.rowsCompared());
  }

  // ---- helpers

  private BackupManifest manifest(String target, String id) throws IOException {
    return BackupManifests.fromJson(
        new String(repository.get(BackupLayout.manifestKey(target, id)), StandardCharsets.UTF_8));
  }

  private List<Path> incompleteFiles() throws IOException {
    try (Stream<Path> files = Files.walk(repository.root())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".incomplete")).toList();
    }
  }

  static RunbookRequest request(String target) {
    return new RunbookRequest(target, "tester", false, Duration.ofHours(1));
  }

  private static boolean startsWith(byte[] bytes, String prefix) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    return bytes.length >= p.length && Arrays.equals(bytes, 0, p.length, p, 0, p.length);
  }

  static boolean contains(byte[] haystack, String needle) {
    byte[] n = needle.getBytes(StandardCharsets.UTF_8);
    outer:
    for (int i = 0; i + n.length <= haystack.length; i++) {
      for (int j = 0; j < n.length; j++) {
        if (haystack[i + j] != n[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
