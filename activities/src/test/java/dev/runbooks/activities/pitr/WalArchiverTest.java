package dev.runbooks.activities.pitr;

import static dev.runbooks.activities.pitr.WalTestSupport.awaitArchived;
import static dev.runbooks.activities.pitr.WalTestSupport.contains;
import static dev.runbooks.activities.pitr.WalTestSupport.currentLsn;
import static dev.runbooks.activities.pitr.WalTestSupport.slotRestart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.pitr.ArchiveInput;
import dev.runbooks.workflows.pitr.ArchiveSession;
import dev.runbooks.workflows.pitr.WalArchiveState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The archiver's sessions against real clusters with PostgreSQL's default WAL retention (a
 * checkpoint recycles WAL no slot holds): what is written reaches the archive within seconds,
 * sessions resume without a gap, and the faults of runbooks/pitr.md end as that page says.
 */
class WalArchiverTest {
  private static final String TARGET = "orders";

  @TempDir Path dir;

  private final List<LocalCluster> clusters = new ArrayList<>();
  private FileRepository files;
  private WalArchive archive;

  @BeforeAll
  static void warmUp() {
    BackupCipher.warmUp();
  }

  @AfterEach
  void stopClusters() {
    clusters.forEach(LocalCluster::close);
  }

  @Test
  void walReachesTheArchiveWithinSecondsAndSessionsResumeWithoutAGap() throws Exception {
    LocalCluster primary = cluster();
    SwitchableConnections connections = new SwitchableConnections(primary);
    WalArchiverActivitiesImpl activities = activities(connections, repository());
    primary.execute("postgres", "CREATE TABLE marks (note text)");

    CompletableFuture<ArchiveSession> first = session(activities, Duration.ofSeconds(20));
    awaitArchived(archive, currentLsn(primary), Duration.ofSeconds(60));
    primary.execute("postgres", "INSERT INTO marks VALUES ('MARKER-IN-THE-PARTIAL-SEGMENT')");
    long marker = currentLsn(primary);
    Instant written = Instant.now();
    awaitArchived(archive, marker, Duration.ofSeconds(30));
    Duration partialLag = Duration.between(written, Instant.now());
    System.out.println("FIGURE archive_partial_lag_ms " + partialLag.toMillis());
    for (int i = 0; i < 2; i++) {
      primary.execute(
          "postgres", "INSERT INTO marks VALUES ('round " + i + "')", "SELECT pg_switch_wal()");
    }
    long switched = currentLsn(primary);
    awaitArchived(archive, switched, Duration.ofSeconds(30));
    ArchiveSession one = first.get(2, TimeUnit.MINUTES);
    assertEquals(List.of(), one.gaps());
    assertTrue(one.segments() >= 2, "complete segments stored: " + one);

    primary.execute("postgres", "INSERT INTO marks VALUES ('after the first session')");
    long later = currentLsn(primary);
    ArchiveSession two = session(activities, Duration.ofSeconds(6)).get(2, TimeUnit.MINUTES);
    assertEquals(List.of(), two.gaps());

    WalInventory inventory = archive.inventory();
    WalInventory.TimelineWal t1 = inventory.timeline(1).orElseThrow();
    assertEquals(List.of(), t1.gaps(), inventory.describe());
    assertTrue(
        inventory.contiguousEnd(1, t1.startLsn()).orElseThrow() >= later, inventory.describe());
    Path segment = dir.resolve("fetched");
    archive.fetch(WalSegment.containing(1, marker - 1).name(), segment);
    assertTrue(
        contains(Files.readAllBytes(segment), "MARKER-IN-THE-PARTIAL-SEGMENT"),
        "the fetched segment holds the row written");
    assertNoPlaintext("MARKER-IN-THE-PARTIAL-SEGMENT");
    assertTrue(slotRestart(primary, TARGET) >= t1.endLsn() - WalSegment.SIZE, "the slot moved on");
  }

  @Test
  void aSlotDroppedWhileTheArchiverIsDownIsReportedAsAGap() throws Exception {
    LocalCluster primary = cluster();
    SwitchableConnections connections = new SwitchableConnections(primary);
    WalArchiverActivitiesImpl activities = activities(connections, repository());
    primary.execute("postgres", "CREATE TABLE marks (note text)");
    session(activities, Duration.ofSeconds(4)).get(2, TimeUnit.MINUTES);
    long archivedEnd = archive.inventory().recoverableEnd().orElseThrow();

    primary.execute(
        "postgres", "SELECT pg_drop_replication_slot('" + ArchiveSlot.slotName(TARGET) + "')");
    for (int i = 0; i < 4; i++) {
      primary.execute(
          "postgres",
          "INSERT INTO marks VALUES ('lost " + i + "')",
          "SELECT pg_switch_wal()",
          "CHECKPOINT");
    }
    CompletableFuture<ArchiveSession> running = session(activities, Duration.ofSeconds(12));
    Thread.sleep(6_000);
    primary.execute("postgres", "INSERT INTO marks VALUES ('after')", "SELECT pg_switch_wal()");
    ArchiveSession after = running.get(2, TimeUnit.MINUTES);

    assertEquals(1, after.gaps().size(), after.toString());
    String gap = after.gaps().get(0);
    assertTrue(gap.contains("was removed from"), gap);
    assertTrue(gap.contains(WalSegment.formatLsn(archivedEnd)), gap);
    assertTrue(after.warnings().get(0).contains("was missing"), after.warnings().toString());
    WalInventory inventory = archive.inventory();
    assertEquals(1, inventory.timeline(1).orElseThrow().gaps().size(), inventory.describe());
    assertEquals(
        archivedEnd,
        inventory.contiguousEnd(1, inventory.timeline(1).orElseThrow().startLsn()).orElseThrow(),
        "the window ends at the gap: " + inventory.describe());
    WalArchiveState state = activities.describeWalArchive(TARGET);
    assertEquals(1, state.gaps().size(), state.toString());
  }

  @Test
  void anUnreachableRepositoryDelaysTheArchiveAndLosesNothing() throws Exception {
    LocalCluster primary = cluster();
    SwitchableConnections connections = new SwitchableConnections(primary);
    FlakyRepository flaky = new FlakyRepository(repository());
    WalArchiverActivitiesImpl activities = activities(connections, flaky);
    primary.execute("postgres", "CREATE TABLE marks (note text)");
    CompletableFuture<ArchiveSession> running = session(activities, Duration.ofSeconds(25));
    awaitArchived(archive, currentLsn(primary), Duration.ofSeconds(60));
    long before = archive.inventory().recoverableEnd().orElseThrow();

    flaky.down(true);
    for (int i = 0; i < 3; i++) {
      primary.execute(
          "postgres",
          "INSERT INTO marks VALUES ('during the outage " + i + "')",
          "SELECT pg_switch_wal()",
          "CHECKPOINT");
    }
    long written = currentLsn(primary);
    Thread.sleep(3_000);
    assertTrue(
        slotRestart(primary, TARGET) <= before,
        "the slot holds the WAL the archive lacks: restart "
            + WalSegment.formatLsn(slotRestart(primary, TARGET))
            + ", archive end "
            + WalSegment.formatLsn(before));
    flaky.down(false);

    awaitArchived(archive, written, Duration.ofSeconds(60));
    ArchiveSession session = running.get(2, TimeUnit.MINUTES);
    assertEquals(List.of(), session.gaps());
    WalInventory inventory = archive.inventory();
    WalInventory.TimelineWal t1 = inventory.timeline(1).orElseThrow();
    assertEquals(List.of(), t1.gaps(), inventory.describe());
    assertTrue(inventory.contiguousEnd(1, t1.startLsn()).orElseThrow() >= written);
  }

  @Test
  void followsTheNewPrimaryAcrossASwitchover() throws Exception {
    LocalCluster primary = cluster();
    LocalCluster replica = primary.createReplica("standby");
    clusters.add(0, replica);
    SwitchableConnections connections =
        new SwitchableConnections(primary).withReplica("standby", replica);
    WalArchiverActivitiesImpl activities = activities(connections, repository());
    primary.execute("postgres", "CREATE TABLE marks (note text)");
    CompletableFuture<ArchiveSession> first = session(activities, Duration.ofSeconds(5));
    primary.execute("postgres", "INSERT INTO marks VALUES ('old timeline')");
    first.get(2, TimeUnit.MINUTES);
    long standbySlot = slotRestart(replica, TARGET);
    assertTrue(standbySlot > 0, "the replica keeps the archive's WAL too");

    primary.stop();
    replica.execute("postgres", "SELECT pg_promote(true, 60)");
    connections.switchTo(replica);
    replica.execute(
        "postgres",
        "INSERT INTO marks VALUES ('MARKER-ON-THE-NEW-TIMELINE')",
        "SELECT pg_switch_wal()");
    replica.execute("postgres", "INSERT INTO marks VALUES ('more')");
    long onNew = currentLsn(replica);
    ArchiveSession second = session(activities, Duration.ofSeconds(8)).get(2, TimeUnit.MINUTES);

    assertEquals(2, second.timeline(), second.toString());
    assertEquals(List.of(), second.gaps());
    assertEquals(List.of(), second.warnings(), "the promoted replica had the slot already");
    WalInventory inventory = archive.inventory();
    assertTrue(inventory.switchPoints().containsKey(2), inventory.describe());
    long start = inventory.timeline(1).orElseThrow().startLsn();
    assertTrue(
        inventory.contiguousEnd(1, start).orElseThrow() >= onNew,
        "recovery from timeline 1 reaches the new timeline's WAL: " + inventory.describe());
  }

  private LocalCluster cluster() {
    LocalCluster c = LocalCluster.builder().name("archived").walDefaults().start();
    clusters.add(c);
    return c;
  }

  private FileRepository repository() {
    files = new FileRepository(dir.resolve("repo"));
    return files;
  }

  private WalArchiverActivitiesImpl activities(
      SwitchableConnections connections,
      dev.runbooks.activities.backup.repository.BackupRepository repository) {
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("keys/kek.json"));
    archive = new WalArchive(files, kek, TARGET, Clock.systemUTC());
    LocalCluster any = clusters.get(clusters.size() - 1);
    return new WalArchiverActivitiesImpl(
        new ArchiverWiring(
            connections,
            new OneTarget(repository),
            kek,
            new PgTool(any.binaries()),
            dir.resolve("spool"),
            Clock.systemUTC()));
  }

  private static CompletableFuture<ArchiveSession> session(
      WalArchiverActivitiesImpl activities, Duration length) {
    return CompletableFuture.supplyAsync(
        () -> activities.archiveWal(new ArchiveInput(TARGET, length)));
  }

  private void assertNoPlaintext(String marker) throws Exception {
    try (Stream<Path> all = Files.walk(files.root())) {
      for (Path p : all.filter(Files::isRegularFile).toList()) {
        assertFalse(contains(Files.readAllBytes(p), marker), "plaintext in " + p);
      }
    }
  }
}
