package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.count;
import static dev.runbooks.activities.backup.Harness.databaseExists;
import static dev.runbooks.activities.backup.Harness.drill;
import static dev.runbooks.activities.backup.Harness.failure;
import static dev.runbooks.activities.backup.Harness.incident;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.Failures;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every bad input and fault the issue names, against real databases: each ends with the failure
 * type the workflow acts on and a message that says what was expected, what was found and what to
 * do, and none leaves anything behind.
 */
class BackupFaultsTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  static final Map<String, String> TARGETS =
      Map.of(
          "shop",
          "shop",
          "big",
          "big",
          "doomed",
          "doomed",
          "cut",
          "cut",
          "ghost",
          "ghost_db",
          "cancelled",
          "cancelled",
          "busy",
          "busy");

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
    harness = harness(repository, kek);
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  private Harness harness(BackupRepository repo, LocalKeysetKek restoreKek) {
    return new Harness(
        new ClusterConnections(pg.primary(), TARGETS),
        new FixedTargets(TARGETS.keySet(), repo, RetentionPolicy.keepEverything(), null),
        kek,
        restoreKek,
        pg.primary().binaries(),
        Clock.systemUTC());
  }

  private static LocalCluster cluster() {
    return pg.primary();
  }

  private static void assertMentions(ApplicationFailure failure, String... parts) {
    String message = failure.getOriginalMessage();
    for (String part : parts) {
      assertTrue(message.contains(part), () -> "expected \"" + part + "\" in: " + message);
    }
  }

  private static void assertPermanent(ApplicationFailure failure, String type) {
    assertEquals(type, failure.getType(), failure::getOriginalMessage);
    assertTrue(failure.isNonRetryable(), "non-retryable: " + failure.getOriginalMessage());
  }

  // ---- ids and names

  @Test
  void anUnknownBackupIdIsNotFoundAndTheNewestCompleteOnesAreNamed() {
    harness.backups.dumpDatabase(backup("shop", "20261124T010000Z-have"));

    ApplicationFailure restore =
        failure(() -> harness.restores.restoreBackup(drill("shop", "20991231T000000Z-none", "x1")));
    assertPermanent(restore, "NOT_FOUND");
    assertMentions(
        restore,
        "no backup 20991231T000000Z-none of target shop",
        "its newest complete backups: 20261124T010000Z-have",
        "runbook backups --target shop");

    ApplicationFailure resolve =
        failure(
            () ->
                harness.restores.resolveBackup(
                    new DrillRequest(BackupRestoreTest.request("shop"), "20991231T000000Z-none")));
    assertPermanent(resolve, "NOT_FOUND");
  }

  @Test
  void aMalformedBackupIdOrDatabaseNameIsBadInput() throws IOException {
    ApplicationFailure id =
        failure(() -> harness.backups.dumpDatabase(backup("shop", "../../etc/passwd")));
    assertPermanent(id, "BAD_INPUT");
    assertMentions(id, "expected a backup id such as 20261124T020000Z-1a2b", "../../etc/passwd");
    assertEquals(List.of(), repository.list(""));

    ApplicationFailure database =
        failure(
            () ->
                harness.restores.restoreBackup(
                    drill("shop", "20261124T010000Z-x", "x\"; DROP DATABASE shop; --")));
    assertPermanent(database, "BAD_INPUT");
    assertMentions(database, "expected a database name for the restore");

    ApplicationFailure target =
        failure(() -> harness.backups.dumpDatabase(backup("nosuch", "20261124T010000Z-x")));
    assertPermanent(target, "BAD_INPUT");
    assertMentions(target, "unknown target \"nosuch\"");
  }

  @Test
  void aTargetWhoseDatabaseDoesNotExistIsNotFound() throws IOException {
    ApplicationFailure f =
        failure(() -> harness.backups.dumpDatabase(backup("ghost", "20261124T010000Z-ghost")));
    assertPermanent(f, "NOT_FOUND");
    assertMentions(f, "database ghost_db does not exist on 127.0.0.1:", "primary.database");
    assertEquals(List.of(), repository.list(""));
  }

  // ---- keys and corruption

  @Test
  void aWrongKeyEncryptionKeyNamesTheKeyTheBackupNeeds() throws Exception {
    String id = "20261124T020000Z-kek";
    harness.backups.dumpDatabase(backup("shop", id));
    LocalKeysetKek other = LocalKeysetKek.open(dir.resolve("other-kek.json"));

    try (Harness wrong = harness(repository, other)) {
      ApplicationFailure f =
          failure(() -> wrong.restores.restoreBackup(drill("shop", id, "shop_wrongkey")));
      assertPermanent(f, "BAD_INPUT");
      assertMentions(
          f,
          "wrapped by key-encryption key " + kek.keyId(),
          "the configured key is " + other.keyId(),
          "set encryption:");
    }
    assertFalse(databaseExists(cluster(), "shop_wrongkey"), "no database for a wrong key");
  }

  @Test
  void aFlippedByteIsACorruptedBackupNamingItsSegment() throws Exception {
    String id = "20261124T030000Z-flip";
    harness.backups.dumpDatabase(backup("big", id));
    Path dump = repository.root().resolve("big/" + id + "/dump.enc");
    assertTrue(Files.size(dump) > 3 * 1024 * 1024, "the dump spans several 1 MiB segments");
    long offset = 1024 * 1024 + 512 * 1024; // in segment 1
    flipByte(dump, offset);

    ApplicationFailure f =
        failure(() -> harness.restores.restoreBackup(drill("big", id, "big_flipped")));

    assertPermanent(f, "CORRUPTED_BACKUP");
    assertMentions(
        f,
        "backup " + id + " of target big",
        "segment 1 ",
        "failed authentication",
        "restore from another backup");
    assertFalse(databaseExists(cluster(), "big_flipped"), "the half-restored database is dropped");
  }

  @Test
  void aTruncatedObjectIsACorruptedBackup() throws Exception {
    String id = "20261124T040000Z-trunc";
    harness.backups.dumpDatabase(backup("shop", id));
    Path dump = repository.root().resolve("shop/" + id + "/dump.enc");
    long size = Files.size(dump);
    try (RandomAccessFile file = new RandomAccessFile(dump.toFile(), "rw")) {
      file.setLength(size - 1000);
    }

    ApplicationFailure f =
        failure(() -> harness.restores.restoreBackup(drill("shop", id, "shop_truncated")));

    assertPermanent(f, "CORRUPTED_BACKUP");
    assertMentions(
        f,
        "holds " + (size - 1000) + " bytes but the manifest says " + size,
        "truncated",
        "restore another backup");
    assertFalse(databaseExists(cluster(), "shop_truncated"));
  }

  @Test
  void aBackupWithoutManifestIsIncompleteAndNeverOffered() throws Exception {
    // Listed by start: a complete backup's is its manifest's (now), an incomplete one's its id's.
    // The incomplete one is dated an hour ahead, so it is the newer whenever the test runs.
    String older = idAt(Instant.now().minus(Duration.ofHours(1)), "older");
    String newer = idAt(Instant.now().plus(Duration.ofHours(1)), "newer");
    harness.backups.dumpDatabase(backup("shop", older));
    harness.backups.dumpDatabase(backup("shop", newer));
    repository.delete(BackupLayout.manifestKey("shop", newer));

    ApplicationFailure f =
        failure(() -> harness.restores.restoreBackup(drill("shop", newer, "shop_incomplete")));
    assertPermanent(f, "CORRUPTED_BACKUP");
    assertMentions(f, "is an incomplete backup: it has no manifest.json", "never restored");
    assertFalse(databaseExists(cluster(), "shop_incomplete"));

    assertEquals(
        older,
        harness.restores.resolveBackup(new DrillRequest(BackupRestoreTest.request("shop"), null)));
    List<BackupListing> listed = harness.backups.listBackups("shop").backups();
    assertEquals(List.of(newer, older), listed.stream().map(BackupListing::backupId).toList());
    assertFalse(listed.get(0).complete());
    assertTrue(listed.get(1).complete());

    harness.backups.discardIncompleteBackup(backup("shop", newer));
    harness.backups.discardIncompleteBackup(backup("shop", older)); // complete: kept
    assertEquals(
        List.of(BackupLayout.dumpKey("shop", older), BackupLayout.manifestKey("shop", older)),
        repository.list("shop/"));
  }

  /** A backup id for a start at {@code at}, as the backup workflow names them. */
  private static String idAt(Instant at, String suffix) {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC).format(at)
        + "-"
        + suffix;
  }

  @Test
  void aManifestWhoseChecksumWasAlteredIsAChecksumMismatch() throws Exception {
    String id = "20261124T070000Z-sha";
    harness.backups.dumpDatabase(backup("shop", id));
    String key = BackupLayout.manifestKey("shop", id);
    BackupManifest m =
        BackupManifests.fromJson(new String(repository.get(key), StandardCharsets.UTF_8));
    String forged = "0".repeat(64);
    repository.put(
        key,
        BackupManifests.toJson(
                new BackupManifest(
                    m.formatVersion(),
                    m.id(),
                    m.target(),
                    m.database(),
                    m.serverVersion(),
                    m.pgDumpVersion(),
                    m.startedAt(),
                    m.finishedAt(),
                    m.compression(),
                    m.archiveBytes(),
                    m.plaintextBytes(),
                    m.plaintextSha256(),
                    m.ciphertextBytes(),
                    forged,
                    m.wrappedKey(),
                    m.rowCounts(),
                    m.objects(),
                    m.inventoryVersion()))
            .getBytes(StandardCharsets.UTF_8));

    ApplicationFailure f =
        failure(() -> harness.restores.restoreBackup(drill("shop", id, "shop_forged")));

    assertPermanent(f, "CHECKSUM_MISMATCH");
    assertMentions(f, "the manifest says " + forged, m.ciphertextSha256());
    assertFalse(databaseExists(cluster(), "shop_forged"));
  }

  // ---- databases a restore must not touch

  @Test
  void aDrillWhoseScratchNameIsTakenIsAConflictNotBadInput() throws Exception {
    String id = "20261124T080000Z-clash";
    harness.backups.dumpDatabase(backup("shop", id));
    cluster().execute("postgres", "CREATE DATABASE drill_taken");

    ApplicationFailure taken =
        failure(() -> harness.restores.restoreBackup(drill("shop", id, "drill_taken")));
    assertPermanent(taken, "CONFLICT");
    assertMentions(taken, "drill_taken already exists", "another run is using that scratch name");
    assertTrue(databaseExists(cluster(), "drill_taken"));
  }

  @Test
  void anIncidentRestoreNeverOverwritesAnExistingDatabase() throws Exception {
    String id = "20261124T080000Z-live";
    harness.backups.dumpDatabase(backup("shop", id));
    cluster().execute("postgres", "CREATE DATABASE shop_live");
    cluster()
        .execute("shop_live", "CREATE TABLE precious (id int)", "INSERT INTO precious VALUES (1)");

    ApplicationFailure exists =
        failure(() -> harness.restores.restoreBackup(incident("shop", id, "shop_live")));
    assertPermanent(exists, "BAD_INPUT");
    assertMentions(exists, "the database shop_live already exists", "never overwrites");
    // what a failed restore's compensation calls leaves it alone too
    harness.restores.dropRestoredDatabase(incident("shop", id, "shop_live"));
    assertEquals(1, count(cluster(), "shop_live", "precious"));

    ApplicationFailure own =
        failure(() -> harness.restores.restoreBackup(incident("shop", id, "shop")));
    assertPermanent(own, "BAD_INPUT");
    assertMentions(own, "is target shop's own database");
    ApplicationFailure dropOwn =
        failure(() -> harness.restores.dropRestoredDatabase(drill("shop", id, "shop")));
    assertPermanent(dropOwn, "BAD_INPUT");
    assertEquals(SampleDatabases.ORDERS, count(cluster(), "shop", "sales.orders"));

    // The same incident restore run again (a retry) re-creates its own database; another refuses.
    RestoreOutcome first = harness.restores.restoreBackup(incident("shop", id, "shop_restored"));
    RestoreOutcome again = harness.restores.restoreBackup(incident("shop", id, "shop_restored"));
    assertEquals(first.bytes(), again.bytes());
    ApplicationFailure other =
        failure(
            () ->
                harness.restores.restoreBackup(
                    new RestoreInput("shop", id, "shop_restored", true, "another-run/restore")));
    assertPermanent(other, "BAD_INPUT");
    assertMentions(other, "made by another restore");
    assertEquals(SampleDatabases.ORDERS, count(cluster(), "shop_restored", "sales.orders"));
  }

  // ---- faults in the middle of a dump

  @Test
  void aDatabaseThatVanishesMidDumpLeavesNothingBehind() throws Exception {
    cluster().execute("postgres", "CREATE DATABASE doomed TEMPLATE big");
    StallingRepository stalling = new StallingRepository(repository, 1024 * 1024);
    String id = "20261124T090000Z-doom";
    try (Harness h = harness(stalling, kek)) {
      CompletableFuture<ApplicationFailure> dump =
          CompletableFuture.supplyAsync(
              () -> failure(() -> h.backups.dumpDatabase(backup("doomed", id))));
      awaitStall(stalling, dump);
      assertTrue(
          incompleteFiles().size() == 1, "an upload is under way while pg_dump is mid-table");
      cluster().execute("postgres", "DROP DATABASE doomed WITH (FORCE)");
      stalling.release.countDown();

      ApplicationFailure f = dump.get(60, TimeUnit.SECONDS);
      assertPermanent(f, "NOT_FOUND");
      assertMentions(
          f,
          "backup " + id + " of target doomed",
          "the database doomed vanished from 127.0.0.1:" + cluster().port() + " during the dump",
          "pg_dump exited with 1: pg_dump: error:",
          "Nothing was stored");
      assertNothingStored("doomed");
      h.backups.discardIncompleteBackup(backup("doomed", id));
      assertNothingStored("doomed");
    }
  }

  @Test
  void aDumpWhoseConnectionIsCutIsRetriedAndStartsOverCleanly() throws Exception {
    cluster().execute("postgres", "CREATE DATABASE cut TEMPLATE big");
    StallingRepository stalling = new StallingRepository(repository, 1024 * 1024);
    String id = "20261124T100000Z-cut";
    try (Harness h = harness(stalling, kek)) {
      CompletableFuture<ApplicationFailure> dump =
          CompletableFuture.supplyAsync(
              () -> failure(() -> h.backups.dumpDatabase(backup("cut", id))));
      awaitStall(stalling, dump);
      cluster()
          .execute(
              "postgres",
              "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                  + " WHERE application_name = 'runbooks pg_dump' AND datname = 'cut'");
      stalling.release.countDown();

      ApplicationFailure f = dump.get(60, TimeUnit.SECONDS);
      assertEquals(TransientBackupException.class.getName(), f.getType());
      assertFalse(f.isNonRetryable(), "a cut connection is retried");
      assertMentions(
          f,
          "backup " + id + " of target cut: pg_dump of 127.0.0.1:" + cluster().port() + "/cut",
          "nothing was stored and the attempt will be retried",
          "pg_dump said: pg_dump: error:");
      assertNothingStored("cut");
    }

    // The retry, as Temporal would run it.
    harness.backups.dumpDatabase(backup("cut", id));
    RestoreOutcome restored = harness.restores.restoreBackup(drill("cut", id, "cut_restored"));
    assertTrue(restored.bytes() > 0);
    assertEquals(SampleDatabases.BIG_ROWS, count(cluster(), "cut_restored", "samples_b"));
    assertTrue(harness.restores.compareWithManifest(drill("cut", id, "cut_restored")).matches());
    harness.restores.dropRestoredDatabase(drill("cut", id, "cut_restored"));
  }

  @Test
  void rowsWrittenDuringTheDumpAreNeitherDumpedNorCounted() throws Exception {
    cluster().execute("postgres", "CREATE DATABASE busy TEMPLATE big");
    StallingRepository stalling = new StallingRepository(repository, 1024 * 1024);
    String id = "20261124T103000Z-busy";
    try (Harness h = harness(stalling, kek)) {
      CompletableFuture<BackupSummary> dump =
          CompletableFuture.supplyAsync(() -> h.backups.dumpDatabase(backup("busy", id)));
      awaitStall(stalling, dump);
      cluster()
          .execute(
              "busy",
              "INSERT INTO samples_a (a, b) SELECT 'late', 'late' FROM generate_series(1, 500)",
              "DELETE FROM samples_b WHERE id <= 300");
      stalling.release.countDown();
      BackupSummary summary = dump.get(120, TimeUnit.SECONDS);

      assertEquals(2 * SampleDatabases.BIG_ROWS, summary.rows());
      harness.restores.restoreBackup(drill("busy", id, "busy_restored"));
      assertEquals(SampleDatabases.BIG_ROWS, count(cluster(), "busy_restored", "samples_a"));
      assertEquals(SampleDatabases.BIG_ROWS, count(cluster(), "busy_restored", "samples_b"));
      Comparison comparison =
          harness.restores.compareWithManifest(drill("busy", id, "busy_restored"));
      assertTrue(comparison.matches(), comparison::toString);
      harness.restores.dropRestoredDatabase(drill("busy", id, "busy_restored"));
      assertEquals(SampleDatabases.BIG_ROWS + 500, count(cluster(), "busy", "samples_a"));
    }
  }

  @Test
  void aCancelledDumpStopsPgDumpAndLeavesNothingBehind() throws Exception {
    cluster().execute("postgres", "CREATE DATABASE cancelled TEMPLATE big");
    StallingRepository stalling = new StallingRepository(repository, 1024 * 1024);
    String id = "20261124T110000Z-cancel";
    try (Harness h = harness(stalling, kek)) {
      CompletableFuture<Throwable> dump =
          CompletableFuture.supplyAsync(
              () ->
                  assertThrows(
                      Throwable.class, () -> h.backups.dumpDatabase(backup("cancelled", id))));
      awaitStall(stalling, dump);
      // Progress is reported while the upload is stalled: the heartbeat has its own thread.
      awaitTrue(
          () -> h.heartbeats.stream().anyMatch(p -> p.step().equals("dump") && p.done() > 0),
          "a heartbeat with the bytes dumped so far");

      h.cancel();
      // The cancellation reaches the activity with its next heartbeat, which kills pg_dump.
      awaitTrue(() -> pgDumpSessions("cancelled") == 0, "pg_dump's session to end");
      stalling.release.countDown();

      Throwable thrown = dump.get(60, TimeUnit.SECONDS);
      assertTrue(Failures.isCancellation(thrown), () -> "expected a cancellation, got " + thrown);
      assertNothingStored("cancelled");
    }
  }

  // ---- helpers

  /** Waits until the dump is stalled mid-table; fails at once if it ended instead. */
  private static void awaitStall(StallingRepository stalling, CompletableFuture<?> dump)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!stalling.stalled.await(50, TimeUnit.MILLISECONDS)) {
      if (dump.isDone()) {
        throw new AssertionError(
            "the dump ended before it stalled: " + dump.handle((r, e) -> e == null ? r : e).get());
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the dump never got going");
      }
    }
  }

  private static long pgDumpSessions(String database) {
    try (Connection c = cluster().connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'runbooks pg_dump'"
                    + " AND datname = '"
                    + database
                    + "'")) {
      rs.next();
      return rs.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitTrue(BooleanSupplier condition, String what)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("waited 60 s for " + what);
      }
      Thread.sleep(50);
    }
  }

  private void assertNothingStored(String target) throws IOException {
    assertEquals(List.of(), repository.list(target + "/"), "objects left in the repository");
    assertEquals(List.of(), incompleteFiles(), "partial uploads left in the repository");
  }

  private List<Path> incompleteFiles() throws IOException {
    if (!Files.exists(repository.root())) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(repository.root())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".incomplete")).toList();
    }
  }

  private static void flipByte(Path file, long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }
}
