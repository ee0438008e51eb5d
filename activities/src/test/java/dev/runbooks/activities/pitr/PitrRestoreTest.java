package dev.runbooks.activities.pitr;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.adobe.testing.s3mock.junit5.S3MockExtension;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.ClusterConnections;
import dev.runbooks.activities.backup.FixedTargets;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.backup.repository.S3Repository;
import dev.runbooks.activities.backup.repository.S3Settings;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.pitr.BaseBackupSummary;
import dev.runbooks.workflows.pitr.PitrDrillCheck;
import dev.runbooks.workflows.pitr.PitrDrillInput;
import dev.runbooks.workflows.pitr.PitrDrillRun;
import dev.runbooks.workflows.pitr.PitrMarker;
import dev.runbooks.workflows.pitr.PitrRestoreInput;
import dev.runbooks.workflows.pitr.PitrRestoreOutcome;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.pitr.PitrVerdictInput;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
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
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.apache5.Apache5HttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Physical base backups and point-in-time restores of a real cluster whose WAL is archived (by
 * archive_command, stored through {@link WalArchive}), through file and S3 repositories: each
 * target proven by marker rows that must and must not be there, and every refusal and fault the
 * issue names with its message.
 */
class PitrRestoreTest {
  static final Path SPOOL = ArchivedWal.spool("pitr-restore-test");
  static final String TARGET = "shop";
  static final String BUCKET = "pitr";

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary()
          .withSetting("archive_mode", "on")
          .withSetting("archive_command", ArchivedWal.archiveCommand(SPOOL));

  @RegisterExtension
  static final S3MockExtension S3_MOCK =
      S3MockExtension.builder()
          .silent()
          .withSecureConnection(false)
          .withInitialBuckets(BUCKET)
          .build();

  @TempDir Path dir;

  @BeforeEach
  void reachable() throws java.io.IOException {
    // The restored clusters run as the OS user postgres when the tests run as root.
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx--x--x"));
  }

  @BeforeAll
  static void warm() {
    BackupCipher.warmUp();
  }

  private final List<Path> restored = new ArrayList<>();

  @ParameterizedTest
  @ValueSource(strings = {"file", "s3"})
  void restoresToATimeAnLsnARestorePointAndTheLatestEachProvenByMarkerRows(String kind)
      throws Exception {
    Scenario s = new Scenario(kind.equals("s3") ? s3Repository() : fileRepository());
    String table = "marks_" + kind;
    pg.primary().execute("postgres", "CREATE TABLE " + table + " (note text)");
    s.baseBackup("20261203T100000Z-" + kind);

    insert(table, kind + "-A");
    insert(table, kind + "-B");
    String afterB = ArchivedWal.currentLsn(pg.primary());
    pg.primary().execute("postgres", "SELECT pg_create_restore_point('rp_" + kind + "')");
    insert(table, kind + "-C");
    Instant afterC =
        OffsetDateTime.parse(
                ArchivedWal.query(
                    pg.primary(),
                    "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC',"
                        + " 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"))
            .toInstant();
    Thread.sleep(1500);
    insert(table, kind + "-D");
    s.wal.switchAndStore(pg.primary(), s.archive);

    PitrRestoreOutcome atTime =
        s.restore(new PitrTarget(PitrTarget.Kind.TIME, afterC.plusMillis(500).toString()));
    assertMarks(atTime, table, kind, "A", "B", "C");
    assertEquals(2, atTime.reached().timeline(), "promoted onto a new timeline");
    assertFalse(atTime.reached().time().isEmpty(), atTime.toString());

    assertMarks(s.restore(new PitrTarget(PitrTarget.Kind.LSN, afterB)), table, kind, "A", "B");
    assertMarks(
        s.restore(new PitrTarget(PitrTarget.Kind.RESTORE_POINT, "rp_" + kind)),
        table,
        kind,
        "A",
        "B");
    assertMarks(s.restore(PitrTarget.latest()), table, kind, "A", "B", "C", "D");

    for (String key : s.repository.list(TARGET + "/")) {
      byte[] stored;
      try (InputStream in = s.repository.open(key)) {
        stored = in.readAllBytes();
      }
      for (String mark : List.of("A", "B", "C", "D")) {
        assertFalse(
            BaseBackupStageTest.contains(
                stored, (kind + "-" + mark).getBytes(StandardCharsets.UTF_8)),
            "plaintext marker " + kind + "-" + mark + " in " + key);
      }
    }
    s.close();
  }

  @Test
  void refusesTargetsOutsideTheWindowANonEmptyDirectoryAndStopsAtAFlippedOrMissingWalObject()
      throws Exception {
    Scenario s = new Scenario(fileRepository());
    BaseBackupSummary base = s.baseBackup("20261203T110000Z-faults");
    pg.primary().execute("postgres", "CREATE TABLE IF NOT EXISTS filler (x int)");
    for (int i = 0; i < 3; i++) {
      pg.primary().execute("postgres", "INSERT INTO filler SELECT generate_series(1, 1000)");
      s.wal.switchAndStore(pg.primary(), s.archive);
    }
    String end = ArchivedWal.currentLsn(pg.primary());
    s.wal.switchAndStore(pg.primary(), s.archive);

    ApplicationFailure before =
        failure(() -> s.restore(new PitrTarget(PitrTarget.Kind.TIME, "2001-01-01T00:00:00Z")));
    assertEquals("BAD_INPUT", before.getType());
    assertTrue(
        before.getOriginalMessage().contains("before the earliest restorable point")
            && before.getOriginalMessage().contains("restorable window is " + base.stopLsn()),
        before.getOriginalMessage());

    ApplicationFailure future =
        failure(
            () ->
                s.restore(
                    new PitrTarget(
                        PitrTarget.Kind.TIME, Instant.now().plus(Duration.ofHours(1)).toString())));
    assertEquals("BAD_INPUT", future.getType());
    assertTrue(future.getOriginalMessage().contains("in the future"), future.getOriginalMessage());

    Path occupied = Files.createDirectories(dir.resolve("occupied"));
    Files.writeString(occupied.resolve("keep.txt"), "mine");
    ApplicationFailure notEmpty = failure(() -> s.restoreInto(PitrTarget.latest(), occupied));
    assertEquals("BAD_INPUT", notEmpty.getType());
    assertTrue(
        notEmpty.getOriginalMessage().contains(occupied + " on the worker's host is not empty"),
        notEmpty.getOriginalMessage());
    assertEquals(List.of(occupied.resolve("keep.txt")), Files.list(occupied).toList());
    assertEquals("mine", Files.readString(occupied.resolve("keep.txt")));

    WalSegment middle = WalSegment.containing(1, WalSegment.parseLsn(base.stopLsn())).next();
    Path object = dir.resolve("repository").resolve(WalArchive.segmentKey(TARGET, middle));
    byte[] bytes = Files.readAllBytes(object);
    bytes[bytes.length / 2] ^= 0x01;
    Files.write(object, bytes);
    Path flippedInto = dir.resolve("flipped");
    ApplicationFailure flipped = failure(() -> s.restoreInto(PitrTarget.latest(), flippedInto));
    assertEquals("CORRUPTED_BACKUP", flipped.getType());
    assertTrue(flipped.getOriginalMessage().contains(middle.name()), flipped.getOriginalMessage());
    assertFalse(Files.exists(flippedInto), "a failed restore leaves no directory behind");

    Files.delete(object);
    ApplicationFailure missing = failure(() -> s.restore(new PitrTarget(PitrTarget.Kind.LSN, end)));
    assertEquals("BAD_INPUT", missing.getType());
    assertTrue(
        missing.getOriginalMessage().contains("past the archive's end")
            && missing.getOriginalMessage().contains(middle.name() + " is missing"),
        missing.getOriginalMessage());
    s.close();
  }

  @Test
  void aDrillRestoresToItsRestorePointProvesTheMarkersAndRecordsItsVerdict() throws Exception {
    Scenario s = new Scenario(fileRepository());
    pg.primary().execute("postgres", "CREATE TABLE IF NOT EXISTS drilled (x int)");
    pg.primary().execute("postgres", "INSERT INTO drilled SELECT generate_series(1, 500)");
    BaseBackupSummary base = s.baseBackup("20261203T120000Z-drill");
    pg.primary().execute("postgres", "INSERT INTO drilled SELECT generate_series(1, 250)");
    PitrDrillInput drill = new PitrDrillInput(TARGET, "pitr-drill-shop-test", "drill/marker");

    PitrMarker marker = s.harness.drills.writeDrillMarker(drill);
    assertEquals(750L, marker.rowCounts().get("public.drilled"));
    s.wal.switchAndStore(pg.primary(), s.archive);
    PitrDrillRun run = new PitrDrillRun(drill, marker);
    Duration rpo = s.harness.drills.awaitDrillArchived(run);
    PitrDrillCheck check = s.harness.drills.drillPointInTime(run);
    s.harness.drills.recordPitrVerdict(new PitrVerdictInput(drill, check, rpo));

    assertEquals(List.of(), check.differences());
    assertEquals(base.backupId(), check.backupId());
    assertEquals(2, check.reached().timeline());
    PitrDrillVerdict verdict =
        BackupManifests.fromJsonRecord(
            new String(
                s.repository.get(BaseBackupLayout.verdictKey(TARGET, base.backupId())),
                StandardCharsets.UTF_8),
            PitrDrillVerdict.class,
            "verdict");
    assertTrue(verdict.passed(), verdict.toString());
    assertEquals(check.rto(), verdict.rto());
    assertEquals(rpo, verdict.rpo());
    assertEquals(
        List.of("after", "before"),
        List.of(
            ArchivedWal.query(
                    pg.primary(),
                    "SELECT string_agg(phase, ',' ORDER BY phase) FROM runbooks_pitr_drill")
                .split(",")),
        "the primary holds both markers; the restore only the one before the restore point");
    s.close();
  }

  /** One repository with its archive, harness and base backup. */
  private final class Scenario implements AutoCloseable {
    final BackupRepository repository;
    final WalArchive archive;
    final ArchivedWal wal = new ArchivedWal(SPOOL);
    final PitrHarness harness;
    int restores;

    Scenario(BackupRepository repository) {
      this.repository = repository;
      LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
      this.archive = new WalArchive(repository, kek, TARGET, Clock.systemUTC());
      this.harness =
          new PitrHarness(
              new ClusterConnections(pg.primary(), Map.of(TARGET, "postgres")),
              new FixedTargets(Set.of(TARGET), repository, RetentionPolicy.keepEverything(), null),
              kek,
              pg.primary().binaries(),
              Duration.ofSeconds(30));
    }

    BaseBackupSummary baseBackup(String id) throws Exception {
      BackupInput input = new BackupInput(TARGET, id, "test/" + id);
      harness.backups.takeBaseBackup(input);
      wal.switchAndStore(pg.primary(), archive);
      return harness.backups.completeBaseBackup(input);
    }

    PitrRestoreOutcome restore(PitrTarget to) throws Exception {
      return restoreInto(to, dir.resolve("restored-" + restores++));
    }

    PitrRestoreOutcome restoreInto(PitrTarget to, Path into) throws Exception {
      restored.add(into);
      return harness.restores.restoreToPoint(
          new PitrRestoreInput(TARGET, to, into.toString(), 0, "", "test/" + into));
    }

    @Override
    public void close() throws java.io.IOException {
      harness.close();
      for (Path p : restored) {
        if (Files.exists(p.resolve("PG_VERSION"))) {
          WalTestSupport.discardRestored(p, pg.primary().binaries());
        }
      }
    }
  }

  private static void insert(String table, String note) throws SQLException {
    pg.primary().execute("postgres", "INSERT INTO " + table + " VALUES ('" + note + "')");
  }

  private static void assertMarks(
      PitrRestoreOutcome restored, String table, String kind, String... present)
      throws SQLException {
    List<String> found = new ArrayList<>();
    try (Connection c =
            DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + restored.port() + "/postgres", "postgres", "");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT note FROM " + table + " ORDER BY note")) {
      while (rs.next()) {
        found.add(rs.getString(1));
      }
    }
    List<String> expected = new ArrayList<>();
    for (String p : present) {
      expected.add(kind + "-" + p);
    }
    assertEquals(expected, found, "rows restored to " + restored.reached());
  }

  private static ApplicationFailure failure(Executable call) {
    ActivityFailure failure = assertThrows(ActivityFailure.class, call);
    return assertInstanceOf(ApplicationFailure.class, failure.getCause());
  }

  private BackupRepository fileRepository() {
    return new FileRepository(dir.resolve("repository"));
  }

  private BackupRepository s3Repository() {
    URI endpoint = URI.create(S3_MOCK.getServiceEndpoint());
    S3Client client =
        S3Client.builder()
            .region(Region.US_EAST_1)
            .endpointOverride(endpoint)
            .forcePathStyle(true)
            .credentialsProvider(
                StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
            .httpClientBuilder(Apache5HttpClient.builder())
            .build();
    return new S3Repository(
        client,
        new S3Settings(
            BUCKET, "pitr-" + System.nanoTime(), "us-east-1", endpoint, true, null, null));
  }
}
