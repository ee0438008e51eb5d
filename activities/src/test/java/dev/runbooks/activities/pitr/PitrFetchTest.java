package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.ClusterConnections;
import dev.runbooks.activities.backup.FixedTargets;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.pitr.BaseBackupSummary;
import dev.runbooks.workflows.pitr.PitrRestoreInput;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import dev.runbooks.workflows.pitr.PitrTarget;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A point-in-time restore fetches exactly the WAL it replays: from the base backup's start to the
 * segment holding the target (an LSN; the first commit past a time; a named restore point), never a
 * segment of the archive beyond it, and the restored rows prove the point. A worker lacking the
 * program that reads the WAL says which and how to install it, once.
 */
class PitrFetchTest {
  static final Path SPOOL = ArchivedWal.spool("pitr-fetch-test");
  static final String TARGET = "shop";

  /** Segments archived after the last target: the archive's long tail, never to be fetched. */
  static final int TAIL = 6;

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary()
          .withSetting("archive_mode", "on")
          .withSetting("archive_command", ArchivedWal.archiveCommand(SPOOL));

  @TempDir Path dir;

  private final List<Path> restored = new ArrayList<>();
  private PitrHarness harness;

  @Test
  void aRestoreToAPointInTheMiddleOfALongArchiveFetchesNoSegmentPastThePointsOwn()
      throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    BackupCipher.warmUp();
    CountingRepository repository = new CountingRepository(new FileRepository(dir.resolve("r")));
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    WalArchive archive = new WalArchive(repository, kek, TARGET, Clock.systemUTC());
    ArchivedWal wal = new ArchivedWal(SPOOL);
    harness = harness(repository, kek, pg.primary().binaries());
    pg.primary().execute("postgres", "CREATE TABLE marks (note text)");
    BackupInput backup = new BackupInput(TARGET, "20261203T130000Z-fetch", "test/fetch");
    harness.backups.takeBaseBackup(backup);
    wal.switchAndStore(pg.primary(), archive);
    BaseBackupSummary base = harness.backups.completeBaseBackup(backup);
    String startSegment = WalSegment.containing(1, WalSegment.parseLsn(base.startLsn())).name();

    // Each point in a segment of its own, the archive going on well past them.
    insert("A");
    String afterA = ArchivedWal.currentLsn(pg.primary());
    Instant timeAfterA = serverNow();
    wal.switchAndStore(pg.primary(), archive);
    Thread.sleep(1100);
    insert("B");
    String afterB = ArchivedWal.currentLsn(pg.primary());
    wal.switchAndStore(pg.primary(), archive);
    String restorePoint =
        ArchivedWal.query(pg.primary(), "SELECT pg_create_restore_point('rp_fetch')::text");
    insert("C");
    wal.switchAndStore(pg.primary(), archive);
    pg.primary().execute("postgres", "CREATE TABLE filler (x int)");
    for (int i = 0; i < TAIL; i++) {
      pg.primary().execute("postgres", "INSERT INTO filler SELECT generate_series(1, 1000)");
      wal.switchAndStore(pg.primary(), archive);
    }

    assertFetchedThrough(
        repository,
        startSegment,
        segmentOf(afterA),
        restore(new PitrTarget(PitrTarget.Kind.LSN, afterA)),
        "A");
    // The first commit past the time is B's: recovery stops before it, so B's segment is the last.
    assertFetchedThrough(
        repository,
        startSegment,
        segmentOf(afterB),
        restore(new PitrTarget(PitrTarget.Kind.TIME, timeAfterA.toString())),
        "A");
    assertFetchedThrough(
        repository,
        startSegment,
        segmentOf(restorePoint),
        restore(new PitrTarget(PitrTarget.Kind.RESTORE_POINT, "rp_fetch")),
        "A",
        "B");
    assertEquals(
        List.of("A", "B", "C"), marks(restore(PitrTarget.latest())), "the latest has them all");
  }

  @Test
  void aWorkerWhoseBinDirectoryLacksAProgramFailsTheRestoreAtOnceNamingItAndTheFix()
      throws Exception {
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
    BackupCipher.warmUp();
    BackupRepository repository = new FileRepository(dir.resolve("r"));
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    WalArchive archive = new WalArchive(repository, kek, TARGET, Clock.systemUTC());
    ArchivedWal wal = new ArchivedWal(SPOOL);
    harness = harness(repository, kek, pg.primary().binaries());
    BackupInput backup = new BackupInput(TARGET, "20261203T140000Z-nobin", "test/nobin");
    harness.backups.takeBaseBackup(backup);
    wal.switchAndStore(pg.primary(), archive);
    harness.backups.completeBaseBackup(backup);
    Instant after = serverNow();
    pg.primary().execute("postgres", "CREATE TABLE IF NOT EXISTS later (x int)");
    wal.switchAndStore(pg.primary(), archive);

    // initdb alone: the worker finds "the binaries", but pg_waldump, pg_ctl and postgres are not.
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Files.createSymbolicLink(bin.resolve("initdb"), pg.primary().binaries().bin("initdb"));
    Path into = dir.resolve("restored-nobin");
    restored.add(into);
    try (PitrHarness lacking = harness(repository, kek, PgBinaries.at(bin))) {
      ActivityFailure failure =
          assertThrows(
              ActivityFailure.class,
              () ->
                  lacking.restores.restoreToPoint(
                      new PitrRestoreInput(
                          TARGET,
                          new PitrTarget(PitrTarget.Kind.TIME, after.toString()),
                          into.toString(),
                          0,
                          "",
                          "test/nobin")));
      ApplicationFailure cause = assertInstanceOf(ApplicationFailure.class, failure.getCause());
      assertEquals("BAD_INPUT", cause.getType(), cause.toString());
      assertTrue(cause.isNonRetryable(), "retrying cannot install it: " + cause);
      String message = cause.getOriginalMessage();
      assertTrue(message.contains("expected pg_waldump in the PostgreSQL bin directory"), message);
      assertTrue(message.contains(bin.toString()), message);
      assertTrue(message.contains("apt-get install postgresql"), message);
      assertTrue(message.contains("restart the worker"), message);
      assertFalse(Files.exists(into), "a failed restore leaves no directory behind");
    }
  }

  private PitrHarness harness(
      BackupRepository repository, LocalKeysetKek kek, PgBinaries binaries) {
    return new PitrHarness(
        new ClusterConnections(pg.primary(), Map.of(TARGET, "postgres")),
        new FixedTargets(Set.of(TARGET), repository, RetentionPolicy.keepEverything(), null),
        kek,
        binaries,
        Duration.ofSeconds(30));
  }

  private PitrRestoreOutcome restore(PitrTarget to) {
    Path into = dir.resolve("restored-" + restored.size());
    restored.add(into);
    return harness.restores.restoreToPoint(
        new PitrRestoreInput(TARGET, to, into.toString(), 0, "", "test/" + into));
  }

  private static void assertFetchedThrough(
      CountingRepository repository,
      String first,
      String last,
      PitrRestoreOutcome outcome,
      String... marks)
      throws SQLException {
    TreeSet<String> fetched = repository.takeSegmentsRead();
    String context = "restore to " + outcome.reached() + " fetched " + fetched;
    assertEquals(last, fetched.last(), "no segment past the target's: " + context);
    assertEquals(first, fetched.first(), context);
    long expected = WalSegment.parse(last).segno() - WalSegment.parse(first).segno() + 1;
    assertEquals(expected, fetched.size(), "each segment once, none skipped: " + context);
    assertEquals(fetched.size(), outcome.walFiles(), "the outcome counts what was fetched");
    assertEquals(List.of(marks), marks(outcome), context);
  }

  private static String segmentOf(String lsn) {
    return WalSegment.containing(1, WalSegment.parseLsn(lsn)).name();
  }

  private static List<String> marks(PitrRestoreOutcome restored) throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + restored.port() + "/postgres", "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT note FROM marks ORDER BY note")) {
      while (rs.next()) {
        found.add(rs.getString(1));
      }
    }
    return found;
  }

  private static void insert(String note) throws SQLException {
    pg.primary().execute("postgres", "INSERT INTO marks VALUES ('" + note + "')");
  }

  private static Instant serverNow() throws SQLException {
    return OffsetDateTime.parse(
            ArchivedWal.query(
                pg.primary(),
                "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                    + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"))
        .toInstant();
  }

  @AfterEach
  void discard() throws IOException {
    if (harness != null) {
      harness.close();
    }
    PitrRecovery recovery = new PitrRecovery(null, new ServerHost(pg.primary().binaries()));
    try (Heartbeat heartbeat = Heartbeat.start("cleanup", 0, "")) {
      for (Path p : restored) {
        if (Files.exists(p.resolve("PG_VERSION"))) {
          recovery.discard(p, heartbeat);
        }
      }
    }
  }

  /** A repository that notes which WAL segment objects were read to their end: fetched. */
  private static final class CountingRepository extends ForwardingRepository {
    private final Set<String> read = new ConcurrentSkipListSet<>();

    CountingRepository(BackupRepository real) {
      super(real);
    }

    TreeSet<String> takeSegmentsRead() {
      TreeSet<String> segments = new TreeSet<>();
      for (String key : read) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        if (key.contains("/wal/") && WalSegment.isName(name)) {
          segments.add(name);
        }
      }
      read.clear();
      assertTrue(!segments.isEmpty(), "no WAL segment was fetched at all");
      return segments;
    }

    @Override
    public InputStream open(String key) throws IOException {
      return new FilterInputStream(super.open(key)) {
        @Override
        public int read() throws IOException {
          return ended(super.read());
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          return ended(super.read(b, off, len));
        }

        private int ended(int n) {
          if (n < 0) {
            read.add(key);
          }
          return n;
        }
      };
    }
  }
}
