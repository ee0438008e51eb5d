package dev.runbooks.activities.pitr;

import static dev.runbooks.activities.pitr.WalTestSupport.contains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.backup.repository.ForwardingRepository;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The WAL archive's storage contract, on a real file repository with a real keyset. */
class WalArchiveTest {
  private static final String TARGET = "orders";
  private static final byte[] MARKER =
      "PLAINTEXT-WAL-MARKER row of the orders table".getBytes(StandardCharsets.US_ASCII);

  @TempDir Path dir;

  private FileRepository repository;
  private WalArchive archive;
  private Path spool;

  @BeforeAll
  static void warmUp() {
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() throws IOException {
    repository = new FileRepository(dir.resolve("repo"));
    archive =
        new WalArchive(
            repository,
            LocalKeysetKek.open(dir.resolve("keys/kek.json")),
            TARGET,
            Clock.systemUTC());
    spool = Files.createDirectories(dir.resolve("spool"));
  }

  @Test
  void storesSegmentsAndFetchesThemBackDecryptedAndVerified() throws IOException {
    Path first = segment("000000010000000000000003", 1);
    Path second = segment("000000010000000000000004", 2);

    WalArchive.Stored stored = archive.storeSegment(first);
    archive.storeSegment(second);

    assertTrue(stored.written());
    assertEquals("orders/wal/00000001/000000010000000000000003", stored.key());
    Path back = dir.resolve("restore/000000010000000000000003");
    WalObjectHeader header = archive.fetch("000000010000000000000003", back);
    assertArrayEquals(Files.readAllBytes(first), Files.readAllBytes(back));
    assertEquals(WalObjectKind.SEGMENT, header.kind());
    assertEquals(
        WalSegment.parseLsn("0/5000000"), archive.inventory().recoverableEnd().getAsLong());
  }

  @Test
  void noStoredObjectHoldsThePlaintext() throws IOException {
    archive.storeSegment(segment("000000010000000000000003", 3));
    try (Stream<Path> files = Files.walk(repository.root())) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        byte[] bytes = Files.readAllBytes(file);
        assertFalse(contains(bytes, MARKER), "plaintext marker found in " + file);
      }
    }
  }

  @Test
  void storingTheSameSegmentAgainWritesNothingAndAnotherIsRefused() throws IOException {
    Path file = segment("000000010000000000000003", 4);
    archive.storeSegment(file);
    long modified =
        Files.getLastModifiedTime(stored("00000001/000000010000000000000003")).toMillis();

    WalArchive.Stored again = archive.storeSegment(file);
    assertFalse(again.written());
    assertEquals(
        modified,
        Files.getLastModifiedTime(stored("00000001/000000010000000000000003")).toMillis());

    Path other = segment("000000010000000000000003", 5);
    ConflictingWalException e =
        assertThrows(ConflictingWalException.class, () -> archive.storeSegment(other));
    assertTrue(e.getMessage().contains("000000010000000000000003"), e.getMessage());
    assertTrue(e.getMessage().contains("other contents"), e.getMessage());
  }

  @Test
  void aFlippedByteIsNamedBySegmentAndNothingIsWritten() throws IOException {
    archive.storeSegment(segment("000000010000000000000003", 6));
    Path object = stored("00000001/000000010000000000000003");
    try (RandomAccessFile raf = new RandomAccessFile(object.toFile(), "rw")) {
      long at = raf.length() / 2;
      raf.seek(at);
      int b = raf.read();
      raf.seek(at);
      raf.write(b ^ 0x01);
    }
    Path into = dir.resolve("restore/000000010000000000000003");

    CorruptedBackupException e =
        assertThrows(
            CorruptedBackupException.class, () -> archive.fetch("000000010000000000000003", into));
    assertTrue(e.getMessage().contains("000000010000000000000003"), e.getMessage());
    assertFalse(Files.exists(into));
    try (Stream<Path> left = Files.list(into.getParent())) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void aMissingSegmentIsNamedWithWhatTheArchiveHolds() throws IOException {
    archive.storeSegment(segment("000000010000000000000003", 7));

    MissingWalException e =
        assertThrows(
            MissingWalException.class,
            () -> archive.fetch("000000010000000000000009", dir.resolve("x")));
    assertEquals("000000010000000000000009", e.file());
    assertTrue(e.getMessage().contains("0/3000000-0/4000000"), e.getMessage());
  }

  @Test
  void aPartialGrowsThenGivesWayToTheCompleteSegment() throws IOException {
    WalSegment seg = WalSegment.parse("000000010000000000000004");
    archive.storeSegment(segment("000000010000000000000003", 8));
    Path partial = segment("000000010000000000000004.partial", 9);

    assertTrue(archive.storePartial(partial, seg, seg.startLsn() + 1000).written());
    assertFalse(archive.storePartial(partial, seg, seg.startLsn() + 500).written());
    assertTrue(archive.storePartial(partial, seg, seg.startLsn() + 2000).written());
    assertEquals(seg.startLsn() + 2000, archive.inventory().recoverableEnd().getAsLong());

    // Served as far as it holds WAL, zeros after: past its end pg_receivewal is still writing.
    Path served = dir.resolve("restore/000000010000000000000004");
    assertEquals(WalObjectKind.PARTIAL, archive.fetch(seg.name(), served).kind());
    byte[] expected = new byte[(int) WalSegment.SIZE];
    System.arraycopy(Files.readAllBytes(partial), 0, expected, 0, 2000);
    assertArrayEquals(expected, Files.readAllBytes(served));

    archive.storeSegment(segment("000000010000000000000004", 9));
    assertFalse(repository.exists(WalArchive.partialKey(TARGET, seg)));
    assertEquals(seg.endLsn(), archive.inventory().recoverableEnd().getAsLong());
  }

  @Test
  void anInventoryReadWhileThePartialGivesWayToItsSegmentCountsTheSegment() throws IOException {
    WalSegment seg = WalSegment.parse("000000010000000000000004");
    archive.storeSegment(segment("000000010000000000000003", 18));
    Path partial = segment("000000010000000000000004.partial", 19);
    archive.storePartial(partial, seg, seg.startLsn() + 1000);
    Path complete = segment("000000010000000000000004", 19);
    // The archiver commits the segment and deletes its partial between the listing and the
    // partial's header being read, as it does several times a second under load.
    AtomicBoolean raced = new AtomicBoolean();
    BackupRepository racing =
        new ForwardingRepository(repository) {
          @Override
          public List<String> list(String prefix) throws IOException {
            List<String> listed = super.list(prefix);
            if (raced.compareAndSet(false, true)) {
              archive.storeSegment(complete);
            }
            return listed;
          }
        };
    WalArchive reading =
        new WalArchive(
            racing, LocalKeysetKek.open(dir.resolve("keys/kek.json")), TARGET, Clock.systemUTC());

    assertEquals(seg.endLsn(), reading.inventory().recoverableEnd().getAsLong());
    assertTrue(raced.get());
  }

  @Test
  void aHoleBetweenSegmentsIsAGapThatEndsTheContiguousWal() throws IOException {
    archive.storeSegment(segment("000000010000000000000003", 10));
    archive.storeSegment(segment("000000010000000000000004", 11));
    archive.storeSegment(segment("000000010000000000000007", 12));

    WalInventory inventory = archive.inventory();
    WalInventory.TimelineWal t1 = inventory.timeline(1).orElseThrow();
    assertEquals(
        List.of(
            new WalInventory.Span(
                WalSegment.parseLsn("0/5000000"), WalSegment.parseLsn("0/7000000"))),
        t1.gaps());
    assertEquals(
        OptionalLong.of(WalSegment.parseLsn("0/5000000")),
        inventory.contiguousEnd(1, WalSegment.parseLsn("0/3000028")));
    assertEquals(
        OptionalLong.empty(), inventory.contiguousEnd(1, WalSegment.parseLsn("0/5000000")));
    assertTrue(inventory.describe().contains("gap 0/5000000-0/7000000"), inventory.describe());
  }

  @Test
  void recoveryFollowsTheHistoryToTheNewTimeline() throws IOException {
    archive.storeSegment(segment("000000010000000000000003", 13));
    archive.storeSegment(segment("000000010000000000000004", 14));
    Path oldPartial = segment("000000010000000000000005.partial", 15);
    WalSegment five = WalSegment.parse("000000010000000000000005");
    archive.storePartial(oldPartial, five, WalSegment.parseLsn("0/50000A0"));
    Path history = spool.resolve("00000002.history");
    Files.writeString(history, "1\t0/50000A0\tno recovery target specified\n");
    archive.storeHistory(history);
    archive.storeSegment(segment("000000020000000000000005", 16));
    archive.storeSegment(segment("000000020000000000000006", 17));

    WalInventory inventory = archive.inventory();
    assertEquals(
        new WalInventory.SwitchPoint(2, 1, WalSegment.parseLsn("0/50000A0")),
        inventory.switchPoints().get(2));
    assertEquals(
        OptionalLong.of(WalSegment.parseLsn("0/7000000")),
        inventory.contiguousEnd(1, WalSegment.parseLsn("0/3000028")));
    assertFalse(archive.storeHistory(history).written());
    Path back = dir.resolve("restore/00000002.history");
    archive.fetch("00000002.history", back);
    assertEquals(Files.readString(history), Files.readString(back));
  }

  @Test
  void aSegmentOfBarelyCompressibleWalRoundTrips() throws IOException {
    byte[] data = new byte[(int) WalSegment.SIZE];
    Random random = new Random(42);
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) "0123456789abcdef".charAt(random.nextInt(16));
    }
    Path file = spool.resolve("000000010000000000000002");
    Files.write(file, data);
    archive.storeSegment(file);
    Path back = dir.resolve("restore/000000010000000000000002");
    archive.fetch("000000010000000000000002", back);
    assertArrayEquals(data, Files.readAllBytes(back));
  }

  private Path stored(String rest) {
    return repository.root().resolve(TARGET + "/wal/" + rest);
  }

  /** A segment-sized file of seeded noise with the plaintext marker in it. */
  private Path segment(String name, long seed) throws IOException {
    byte[] data = new byte[(int) WalSegment.SIZE];
    Random random = new Random(seed);
    // Mostly compressible, like WAL: a noisy first megabyte, zeros after, and the marker.
    byte[] noise = new byte[1 << 20];
    random.nextBytes(noise);
    System.arraycopy(noise, 0, data, 0, noise.length);
    System.arraycopy(MARKER, 0, data, 4096, MARKER.length);
    Path file = spool.resolve(name);
    Files.write(file, data);
    return file;
  }
}
