package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.drill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.ActivityProgress;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dump's and the restore's heartbeats count bytes as they flow, in the unit of their step's
 * detail: the dump's the bytes stored (its detail says "N bytes encrypted"), the restore's the
 * bytes of the stored dump decrypted, of the manifest's plaintextBytes (its detail says "N bytes
 * restored"). Each is caught mid-stream by a repository that stops it.
 */
class BackupProgressTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  static final String BIG = "big";

  /** Long enough for the SDK's throttled heartbeats (every 2.4 s under a 3 s timeout). */
  static final Duration SEEN_WITHIN = Duration.ofSeconds(60);

  @TempDir Path dir;

  private FileRepository repository;
  private LocalKeysetKek kek;

  @BeforeAll
  static void database() throws Exception {
    SampleDatabases.createBig(pg.primary(), BIG);
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    repository = new FileRepository(dir.resolve("repository"));
    kek = LocalKeysetKek.open(dir.resolve("kek.json"));
  }

  private Harness harness(BackupRepository through) {
    return new Harness(
        new ClusterConnections(pg.primary(), Map.of(BIG, BIG)),
        new FixedTargets(Set.of(BIG), through, RetentionPolicy.keepEverything(), null),
        kek,
        kek,
        pg.primary().binaries(),
        Clock.systemUTC());
  }

  @Test
  void theDumpsHeartbeatCountsTheBytesStoredWhileTheyFlow() throws Exception {
    StallingRepository stalling = new StallingRepository(repository, 1024 * 1024);
    String id = "20261124T020000Z-prog";
    try (Harness h = harness(stalling)) {
      CompletableFuture<BackupSummary> dump =
          CompletableFuture.supplyAsync(() -> h.backups.dumpDatabase(backup(BIG, id)));
      assertTrue(stalling.stalled.await(60, TimeUnit.SECONDS), "the dump never stalled");
      long stored = stalling.stalledAt;

      // While the upload is stopped mid-table, Temporal hears how far it got, in bytes stored.
      ActivityProgress midway = awaitHeartbeat(h, "dump", p -> p.done() > 0);
      stalling.release.countDown();
      BackupSummary summary = dump.get(120, TimeUnit.SECONDS);

      assertEquals("bytes", midway.unit());
      // pg_dump's own bytes, which the stored ones compress, would be more.
      assertTrue(midway.done() <= stored, () -> stored + " stored; heartbeats: " + h.heartbeats);
      assertTrue(midway.done() < summary.ciphertextBytes(), summary::toString);
      assertTrue(
          h.heartbeats.stream()
              .filter(p -> p.step().equals("dump"))
              .allMatch(p -> p.done() <= summary.ciphertextBytes()),
          () -> summary + " " + h.heartbeats);
    }
  }

  @Test
  void theRestoresHeartbeatCountsTheStoredDumpDecryptedOfItsPlaintextSize() throws Exception {
    String id = "20261124T030000Z-prog";
    try (Harness plain = harness(repository)) {
      plain.backups.dumpDatabase(backup(BIG, id));
    }
    BackupManifest manifest =
        BackupManifests.fromJson(
            new String(repository.get(BackupLayout.manifestKey(BIG, id)), StandardCharsets.UTF_8));
    assertFalse(
        manifest.archiveBytes() == manifest.plaintextBytes(),
        "the archive is compressed: its size is another unit");
    // Past two 1 MiB segments: the first plaintext is out only once a segment authenticates.
    long readBeforeStall = 3 * 1024 * 1024;
    StallingDownloads stalling = new StallingDownloads(repository, readBeforeStall);
    try (Harness h = harness(stalling)) {
      CompletableFuture<RestoreOutcome> restore =
          CompletableFuture.supplyAsync(
              () -> h.restores.restoreBackup(drill(BIG, id, "big_progress")));
      assertTrue(stalling.stalled.await(60, TimeUnit.SECONDS), "the restore never stalled");

      ActivityProgress midway = awaitHeartbeat(h, "restore", p -> p.done() > 0);
      stalling.release.countDown();
      RestoreOutcome outcome = restore.get(120, TimeUnit.SECONDS);

      assertEquals(manifest.plaintextBytes(), outcome.bytes());
      assertEquals(manifest.plaintextBytes(), midway.total(), () -> "heartbeats: " + h.heartbeats);
      // No more than the ciphertext read so far, which is a little more than its plaintext.
      assertTrue(midway.done() <= readBeforeStall, () -> "heartbeats: " + h.heartbeats);
      List<ActivityProgress> restores =
          h.heartbeats.stream().filter(p -> p.step().equals("restore")).toList();
      assertTrue(
          restores.stream().allMatch(p -> p.total() == manifest.plaintextBytes()),
          restores::toString);
      h.restores.dropRestoredDatabase(drill(BIG, id, "big_progress"));
    }
  }

  private static ActivityProgress awaitHeartbeat(
      Harness h, String step, Predicate<ActivityProgress> test) throws InterruptedException {
    long deadline = System.nanoTime() + SEEN_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<ActivityProgress> seen =
          h.heartbeats.stream().filter(p -> p.step().equals(step)).filter(test).findFirst();
      if (seen.isPresent()) {
        return seen.get();
      }
      Thread.sleep(50);
    }
    throw new AssertionError(
        "no " + step + " heartbeat within " + SEEN_WITHIN + ": " + h.heartbeats);
  }

  /** Downloads that stop once {@code stallAfter} bytes were read, until the test lets them on. */
  private static final class StallingDownloads extends ForwardingRepository {
    private final long stallAfter;
    final CountDownLatch stalled = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    StallingDownloads(BackupRepository delegate, long stallAfter) {
      super(delegate);
      this.stallAfter = stallAfter;
    }

    @Override
    public InputStream open(String key) throws IOException {
      return new FilterInputStream(delegate().open(key)) {
        private long read;

        @Override
        public int read() throws IOException {
          byte[] one = new byte[1];
          return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
          if (read >= stallAfter && release.getCount() > 0) {
            stalled.countDown();
            try {
              if (!release.await(120, TimeUnit.SECONDS)) {
                throw new IOException("the test never released the stalled download");
              }
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              throw new IOException("interrupted while stalled", e);
            }
          }
          int limit = read < stallAfter ? (int) Math.min(len, stallAfter - read) : len;
          int n = in.read(b, off, limit);
          if (n > 0) {
            read += n;
          }
          return n;
        }
      };
    }
  }
}
