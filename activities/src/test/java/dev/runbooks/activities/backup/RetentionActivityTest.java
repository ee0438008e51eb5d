package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.crypto.WrappedKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention and listing over a repository of dated backups (manifests written with chosen start
 * times, verdicts for some): exactly the policy's keep set survives, whole, and the run says what
 * it deleted. No database is involved.
 */
class RetentionActivityTest {
  private static final String T = "orders";
  private static final Instant NOW = Instant.parse("2026-11-25T03:00:00Z");

  @TempDir Path dir;

  private FileRepository repository;
  private Harness harness;
  private final List<Harness> extra = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    repository = new FileRepository(dir.resolve("repository"));
    harness =
        new Harness(
            new NoConnections(),
            new FixedTargets(
                Set.of(T), repository, new RetentionPolicy(2, 0, 0), Duration.ofHours(26)),
            LocalKeysetKek.open(dir.resolve("kek.json")),
            LocalKeysetKek.open(dir.resolve("kek.json")),
            PgBinaries.require(),
            Clock.fixed(NOW, ZoneOffset.UTC));
  }

  @AfterEach
  void tearDown() {
    harness.close();
    extra.forEach(Harness::close);
  }

  @Test
  void keepsABackupWhoseFailedVerdictCameFromNoRestore() throws IOException {
    store("20261124T020000Z-new", "2026-11-24T02:00:00Z", null);
    store("20261123T020000Z-old", "2026-11-23T02:00:00Z", null);
    // Written by an older version when a drill failed for a missing key: no restore ran.
    repository.put(
        BackupLayout.verdictKey(T, "20261123T020000Z-old"),
        ("{\"backupId\": \"20261123T020000Z-old\", \"passed\": false, \"differences\":"
                + " [\"wrapped by local:3750989215 but the configured key is local:2399110627\"],"
                + " \"restoreDuration\": \"PT0S\", \"drilledAt\": \"2026-11-24T03:00:00Z\","
                + " \"drillWorkflowId\": \"restore-drill-orders-1\"}")
            .getBytes(StandardCharsets.UTF_8));

    RetentionOutcome outcome =
        harness.backups.applyRetention(
            new RetentionInput(T, new RetentionPolicy(1, 0, 0), List.of(), "k/retention"));

    assertEquals(List.of(), outcome.deleted());
    assertTrue(
        outcome.kept().contains("20261123T020000Z-old: last verdict not from a restore"),
        outcome.kept()::toString);
  }

  @Test
  void aReadOnlyRepositoryIsAPermanentFaultThatIsNotRetried() throws IOException {
    store("20261124T020000Z-a1", "2026-11-24T02:00:00Z", null);
    store("20261123T020000Z-a2", "2026-11-23T02:00:00Z", null);
    // What the JDK throws for EROFS.
    IOException readOnly =
        new FileSystemException(
            repository.root().resolve("orders/20261123T020000Z-a2").toString(),
            null,
            "Read-only file system");

    ApplicationFailure failure =
        failure(
            () ->
                harness(new ReadOnlyRepository(repository, readOnly))
                    .backups
                    .applyRetention(
                        new RetentionInput(
                            T, new RetentionPolicy(1, 0, 0), List.of(), "k/retention")));

    assertTrue(failure.isNonRetryable(), failure::toString);
    assertEquals("PERMISSION_DENIED", failure.getType());
    assertTrue(failure.getOriginalMessage().contains("read-only"), failure.getOriginalMessage());
    assertFalse(failure.getOriginalMessage().contains("retried"), failure.getOriginalMessage());
  }

  @Test
  void aFullDiskIsAPermanentFaultThatIsNotRetried() throws IOException {
    store("20261124T020000Z-a1", "2026-11-24T02:00:00Z", null);
    // What the JDK throws for ENOSPC: /dev/full answers every write with it.
    IOException full =
        assertThrows(IOException.class, () -> Files.write(Path.of("/dev/full"), new byte[1]));

    ApplicationFailure failure =
        failure(
            () ->
                harness(new ReadOnlyRepository(repository, full))
                    .restores
                    .recordDrillVerdict(
                        new DrillVerdictInput(
                            T, "20261124T020000Z-a1", true, List.of(), Duration.ZERO, "d-1")));

    assertTrue(failure.isNonRetryable(), failure::toString);
    assertEquals("STORAGE_FULL", failure.getType());
    assertTrue(
        failure.getOriginalMessage().contains("No space left on device"),
        failure.getOriginalMessage());
    assertFalse(failure.getOriginalMessage().contains("retried"), failure.getOriginalMessage());
  }

  @Test
  void deletesExactlyWhatNoRuleKeepsAndSaysWhy() throws IOException {
    store("20261124T140000Z-a1", "2026-11-24T14:00:00Z", null);
    store("20261124T020000Z-a2", "2026-11-24T02:00:00Z", null);
    store("20261123T020000Z-a3", "2026-11-23T02:00:00Z", false); // drilled, failed
    store("20261122T020000Z-a4", "2026-11-22T02:00:00Z", true); // newest verified
    store("20261120T020000Z-a5", "2026-11-20T02:00:00Z", true);
    store("20261115T020000Z-a6", "2026-11-15T02:00:00Z", null); // a migration's
    store("20261110T020000Z-a7", "2026-11-10T02:00:00Z", null);
    store("20261102T020000Z-a8", "2026-11-02T02:00:00Z", null);
    // An incomplete backup (a dump running now, or one whose run failed): not retention's.
    repository.put(BackupLayout.dumpKey(T, "20261125T020000Z-run"), new byte[10]);

    RetentionOutcome outcome =
        harness.backups.applyRetention(
            new RetentionInput(
                T, new RetentionPolicy(1, 2, 0), List.of("20261115T020000Z-a6"), "k/retention"));

    assertEquals(
        List.of(
            "20261124T020000Z-a2",
            "20261120T020000Z-a5",
            "20261110T020000Z-a7",
            "20261102T020000Z-a8"),
        outcome.deleted());
    assertEquals(
        List.of(
            "20261124T140000Z-a1: keep-last 1, keep-daily 2026-11-24",
            "20261123T020000Z-a3: keep-daily 2026-11-23",
            "20261122T020000Z-a4: newest verified",
            "20261115T020000Z-a6: protected",
            "20261125T020000Z-run: incomplete, left to its own run (discardIncompleteBackup"
                + " removes it)"),
        outcome.kept());
    assertEquals(
        List.of(
            "20261115T020000Z-a6",
            "20261122T020000Z-a4",
            "20261123T020000Z-a3",
            "20261124T140000Z-a1",
            "20261125T020000Z-run"),
        backupDirectories());
    // What is kept is kept whole: dump, manifest and verdict.
    assertEquals(
        List.of(
            "orders/20261122T020000Z-a4/dump.enc",
            "orders/20261122T020000Z-a4/manifest.json",
            "orders/20261122T020000Z-a4/verdict.json"),
        repository.list("orders/20261122T020000Z-a4/"));

    // Run again: nothing more to delete.
    RetentionOutcome again =
        harness.backups.applyRetention(
            new RetentionInput(
                T, new RetentionPolicy(1, 2, 0), List.of("20261115T020000Z-a6"), "k/retention"));
    assertEquals(List.of(), again.deleted());
  }

  @Test
  void withoutAPolicyTheTargetsConfiguredOneApplies() throws IOException {
    store("20261124T020000Z-b1", "2026-11-24T02:00:00Z", null);
    store("20261123T020000Z-b2", "2026-11-23T02:00:00Z", null);
    store("20261122T020000Z-b3", "2026-11-22T02:00:00Z", null);

    RetentionOutcome outcome =
        harness.backups.applyRetention(new RetentionInput(T, null, List.of(), "k/retention"));

    assertEquals(List.of("20261122T020000Z-b3"), outcome.deleted());
    assertEquals(List.of("20261123T020000Z-b2", "20261124T020000Z-b1"), backupDirectories());
  }

  @Test
  void removesUploadsAbandonedLongerThanAnAttemptCanRun() throws IOException {
    BackupUpload old = repository.create(BackupLayout.dumpKey(T, "20261120T020000Z-dead"));
    old.write(new byte[1000]);
    old.flush();
    BackupUpload young = repository.create(BackupLayout.dumpKey(T, "20261125T025900Z-live"));
    young.write(new byte[1000]);
    young.flush();
    List<Path> temps = tempFiles();
    assertEquals(2, temps.size());
    for (Path p : temps) {
      if (p.toString().contains("dead")) {
        Files.setLastModifiedTime(p, FileTime.from(NOW.minus(Duration.ofDays(2))));
      } else {
        Files.setLastModifiedTime(p, FileTime.from(NOW.minus(Duration.ofMinutes(5))));
      }
    }

    harness.backups.applyRetention(new RetentionInput(T, null, List.of(), "k/retention"));

    List<Path> left = tempFiles();
    assertEquals(1, left.size(), left::toString);
    assertTrue(left.get(0).toString().contains("live"), left::toString);
    young.close();
    old.close();
  }

  @Test
  void refusesAPolicyThatKeepsNothing() throws IOException {
    store("20261124T020000Z-c1", "2026-11-24T02:00:00Z", null);

    ApplicationFailure f =
        failure(
            () ->
                harness.backups.applyRetention(
                    new RetentionInput(T, new RetentionPolicy(0, 0, 0), List.of(), "k/r")));

    assertEquals("BAD_INPUT", f.getType());
    assertTrue(f.getOriginalMessage().contains("keeps nothing"), f.getOriginalMessage());
    assertEquals(List.of("20261124T020000Z-c1"), backupDirectories());
  }

  @Test
  void listsBackupsNewestFirstWithTheirVerdictsAndTheFreshnessLimit() throws IOException {
    store("20261123T020000Z-d1", "2026-11-23T02:00:00Z", true);
    store("20261124T020000Z-d2", "2026-11-24T02:00:00Z", false);
    store("20261122T020000Z-d3", "2026-11-22T02:00:00Z", null);
    repository.put(BackupLayout.dumpKey(T, "20261125T020000Z-d4"), new byte[123]);
    repository.put("orders/not a backup", new byte[1]);

    BackupCatalog catalog = harness.backups.listBackups(T);

    assertEquals(T, catalog.target());
    assertEquals(Duration.ofHours(26), catalog.freshnessLimit());
    assertEquals(
        List.of(
            "20261125T020000Z-d4",
            "20261124T020000Z-d2",
            "20261123T020000Z-d1",
            "20261122T020000Z-d3"),
        catalog.backups().stream().map(BackupListing::backupId).toList());
    BackupListing incomplete = catalog.backups().get(0);
    assertFalse(incomplete.complete());
    assertEquals(123, incomplete.ciphertextBytes());
    assertEquals(Boolean.FALSE, catalog.backups().get(1).drillPassed());
    assertEquals(Boolean.TRUE, catalog.backups().get(2).drillPassed());
    assertEquals(Duration.ofMinutes(3), catalog.backups().get(2).restoreDuration());
    assertEquals(null, catalog.backups().get(3).drillPassed());
    assertEquals(Instant.parse("2026-11-22T02:00:00Z"), catalog.backups().get(3).startedAt());

    ApplicationFailure unknown = failure(() -> harness.backups.listBackups("billing"));
    assertEquals("BAD_INPUT", unknown.getType());
  }

  // ---- helpers

  private Harness harness(BackupRepository over) {
    Harness other =
        new Harness(
            new NoConnections(),
            new FixedTargets(Set.of(T), over, new RetentionPolicy(2, 0, 0), Duration.ofHours(26)),
            LocalKeysetKek.open(dir.resolve("kek.json")),
            LocalKeysetKek.open(dir.resolve("kek.json")),
            PgBinaries.require(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    extra.add(other);
    return other;
  }

  /** A complete backup started at {@code startedAt}; drilled when {@code passed} is not null. */
  private void store(String id, String startedAt, Boolean passed) throws IOException {
    Instant start = Instant.parse(startedAt);
    repository.put(BackupLayout.dumpKey(T, id), new byte[100]);
    BackupManifest manifest =
        new BackupManifest(
            BackupManifest.FORMAT_VERSION,
            id,
            T,
            "orders",
            "15.18",
            "pg_dump (PostgreSQL) 15.18",
            start,
            start.plusSeconds(60),
            DumpCompression.PG_DUMP.manifestName(),
            80,
            80,
            "a".repeat(64),
            100,
            "b".repeat(64),
            new WrappedKey("local:1", "AAAA"),
            Map.of("public.t", 1L),
            List.of("table public.t"),
            InventoryQueries.CURRENT);
    repository.put(
        BackupLayout.manifestKey(T, id),
        BackupManifests.toJson(manifest).getBytes(StandardCharsets.UTF_8));
    if (passed != null) {
      DrillVerdict verdict =
          new DrillVerdict(
              id,
              passed,
              passed ? List.of() : List.of("table public.t: 1 rows in the backup, 0 after"),
              Duration.ofMinutes(3),
              start.plusSeconds(3600),
              "drill-orders-" + id);
      repository.put(
          BackupLayout.verdictKey(T, id),
          BackupManifests.toJson(verdict).getBytes(StandardCharsets.UTF_8));
    }
  }

  private List<String> backupDirectories() throws IOException {
    try (Stream<Path> dirs = Files.list(repository.root().resolve(T))) {
      return dirs.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private List<Path> tempFiles() throws IOException {
    try (Stream<Path> files = Files.walk(repository.root())) {
      return files.filter(p -> p.getFileName().toString().endsWith(".incomplete")).toList();
    }
  }

  /** Retention and listing never touch a database: any attempt fails the test. */
  private static final class NoConnections implements TargetConnections {
    @Override
    public Connection primary(String target) {
      throw new AssertionError("retention connected to the database of " + target);
    }

    @Override
    public Connection primary(String target, String database) {
      throw new AssertionError("retention connected to " + database);
    }

    @Override
    public ConnectionSpec connectionSpec(String target) {
      throw new AssertionError("retention asked how to reach " + target);
    }

    @Override
    public List<String> replicaNames(String target) {
      throw new AssertionError("retention asked for replicas of " + target);
    }

    @Override
    public Connection replica(String target, String replica) {
      throw new AssertionError("retention connected to replica " + replica);
    }

    @Override
    public String describe(String target) {
      return "nowhere";
    }
  }
}
