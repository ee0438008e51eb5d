package dev.runbooks.activities.backup.crypto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Envelope encryption through a real file repository: what goes in comes out, or fails loudly. */
class BackupCipherTest {
  private static final String TARGET = "orders";
  private static final String BACKUP = "20261124T020000";
  private static final String KEY = BackupLayout.dumpKey(TARGET, BACKUP);
  private static final byte[] AD = BackupLayout.associatedData(TARGET, BACKUP);
  private static final byte[] MARKER =
      "PLAINTEXT-MARKER: COPY public.customers (id, email) FROM stdin;"
          .getBytes(StandardCharsets.US_ASCII);

  /** 21 MiB and a bit: 22 segments, the last one partial. */
  private static final long SIZE = 21L * 1024 * 1024 + 12_345;

  @TempDir Path dir;

  private final BackupCipher cipher = new BackupCipher();
  private FileRepository repository;
  private LocalKeysetKek kek;

  @BeforeAll
  static void warmUp() {
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    repository = new FileRepository(dir.resolve("repo"));
    kek = LocalKeysetKek.open(dir.resolve("keys/kek.json"));
  }

  @Test
  void roundTripsTwentyMegabytesThroughAFileRepository() throws IOException {
    Stored stored = store(SIZE, 7);

    assertEquals(SIZE, stored.plaintext.bytes());
    assertEquals(repository.size(KEY).orElseThrow(), stored.ciphertext.bytes());
    assertEquals(Digest.of(Files.readAllBytes(file())), stored.ciphertext);
    assertEquals(kek.keyId(), stored.key.kekId());

    try (HashingInputStream ciphertext = new HashingInputStream(repository.open(KEY));
        HashingInputStream plaintext =
            new HashingInputStream(cipher.decrypt(ciphertext, stored.key, kek, AD))) {
      assertEquals(stored.plaintext, plaintext.drain());
      assertEquals(stored.ciphertext, ciphertext.digest());
    }
    // And the bytes themselves, not only their hash, are the generator's.
    try (InputStream plaintext = cipher.decrypt(repository.open(KEY), stored.key, kek, AD)) {
      assertTrue(sameAsGenerated(plaintext, SIZE, 7));
    }
  }

  @Test
  void storesNoPlaintext() throws IOException {
    store(3L * 1024 * 1024, 8);
    byte[] stored = Files.readAllBytes(file());
    assertFalse(contains(stored, MARKER), "the stored object contains plaintext");
  }

  @Test
  void aFlippedByteInTheMiddleIsCorruptionNamingItsSegment() throws IOException {
    Stored stored = store(SIZE, 9);
    long offset = stored.ciphertext.bytes() / 2;
    flipByteAt(offset);

    CorruptedBackupException e = assertThrows(CorruptedBackupException.class, () -> drain(stored));
    long segment = offset / (1024 * 1024);
    assertEquals(segment, e.segment());
    assertTrue(e.getMessage().contains("segment " + segment + " "), e.getMessage());
    assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
    assertEquals(FailureType.CORRUPTED_BACKUP, e.type());
  }

  @Test
  void aFlippedByteInTheHeaderOrTheLastSegmentIsCorruption() throws IOException {
    Stored stored = store(SIZE, 10);
    flipByteAt(7);
    assertEquals(0, assertThrows(CorruptedBackupException.class, () -> drain(stored)).segment());

    Stored again = store(SIZE, 11);
    long last = again.ciphertext.bytes() - 3;
    flipByteAt(last);
    assertEquals(
        last / (1024 * 1024),
        assertThrows(CorruptedBackupException.class, () -> drain(again)).segment());
  }

  @Test
  void aTruncatedObjectIsCorruption() throws IOException {
    Stored stored = store(SIZE, 12);
    truncateTo(stored.ciphertext.bytes() - 1000);
    CorruptedBackupException e = assertThrows(CorruptedBackupException.class, () -> drain(stored));
    assertTrue(e.getMessage().contains("corrupted"), e.getMessage());
  }

  @Test
  void anObjectTruncatedAtASegmentBoundaryIsCorruption() throws IOException {
    Stored stored = store(SIZE, 13);
    truncateTo(3L * 1024 * 1024);
    CorruptedBackupException e = assertThrows(CorruptedBackupException.class, () -> drain(stored));
    assertEquals(2, e.segment());
  }

  @Test
  void anEmptyObjectIsCorruption() throws IOException {
    Stored stored = store(1000, 14);
    truncateTo(0);
    assertEquals(0, assertThrows(CorruptedBackupException.class, () -> drain(stored)).segment());
  }

  @Test
  void aDumpMovedUnderAnotherBackupsNameFailsAuthentication() throws IOException {
    Stored stored = store(100_000, 15);
    byte[] otherPlace = BackupLayout.associatedData(TARGET, "20261125T020000");
    assertThrows(
        CorruptedBackupException.class,
        () -> {
          try (InputStream in = cipher.decrypt(repository.open(KEY), stored.key, kek, otherPlace)) {
            in.readAllBytes();
          }
        });
  }

  @Test
  void aWrongKeyEncryptionKeyNamesTheKeyTheBackupNeeds() throws IOException {
    Stored stored = store(100_000, 16);
    LocalKeysetKek other = LocalKeysetKek.open(dir.resolve("keys/other.json"));

    WrongKeyException e =
        assertThrows(
            WrongKeyException.class,
            () -> cipher.decrypt(repository.open(KEY), stored.key, other, AD));
    assertTrue(e.getMessage().contains(kek.keyId()), e.getMessage());
    assertTrue(e.getMessage().contains(other.keyId()), e.getMessage());
    assertEquals(kek.keyId(), e.neededKeyId());
  }

  @Test
  void aFailingSourceIsReportedAsItselfNotAsCorruption() throws IOException {
    Stored stored = store(5L * 1024 * 1024, 17);
    IOException reset = new IOException("Connection reset");
    InputStream flaky =
        new java.io.FilterInputStream(repository.open(KEY)) {
          private long read;

          @Override
          public int read(byte[] b, int off, int len) throws IOException {
            if (read > 2L * 1024 * 1024) {
              throw reset;
            }
            int n = super.read(b, off, len);
            read += Math.max(n, 0);
            return n;
          }
        };
    try (InputStream in = cipher.decrypt(flaky, stored.key, kek, AD)) {
      IOException e = assertThrows(IOException.class, in::readAllBytes);
      assertEquals(reset, e);
    }
  }

  @Test
  void aDataKeyShowsOnlyItsWrappingKey() {
    DataKey key = cipher.newDataKey(kek);
    assertEquals("DataKey[wrapped by " + kek.keyId() + "]", key.toString());
    assertInstanceOf(String.class, key.wrapped().wrappedBase64());
    // Two backups never share a data key.
    assertFalse(
        key.wrapped().wrappedBase64().equals(cipher.newDataKey(kek).wrapped().wrappedBase64()));
  }

  @Test
  void closingTheEncryptingStreamLeavesTheUploadToCommit() throws IOException {
    DataKey key = cipher.newDataKey(kek);
    try (BackupUpload upload = repository.create(KEY)) {
      try (OutputStream out = cipher.encrypt(upload, key, AD)) {
        out.write(MARKER);
      }
      upload.commit();
    }
    assertTrue(repository.exists(KEY));
  }

  private record Stored(WrappedKey key, Digest plaintext, Digest ciphertext) {}

  /** The backup pipeline in miniature: plaintext hash, encrypt, ciphertext hash, upload. */
  private Stored store(long size, long seed) throws IOException {
    DataKey key = cipher.newDataKey(kek);
    try (BackupUpload upload = repository.create(KEY)) {
      HashingOutputStream ciphertext = new HashingOutputStream(upload);
      HashingOutputStream plaintext = new HashingOutputStream(cipher.encrypt(ciphertext, key, AD));
      try (plaintext) {
        generate(plaintext, size, seed);
      }
      upload.commit();
      return new Stored(key.wrapped(), plaintext.digest(), ciphertext.digest());
    }
  }

  /** Random bytes, with the marker at the start of every 64 KiB block. */
  private static void generate(OutputStream out, long size, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] block = new byte[64 * 1024];
    for (long written = 0; written < size; ) {
      random.nextBytes(block);
      System.arraycopy(MARKER, 0, block, 0, MARKER.length);
      int n = (int) Math.min(block.length, size - written);
      out.write(block, 0, n);
      written += n;
    }
  }

  private static boolean sameAsGenerated(InputStream in, long size, long seed) throws IOException {
    Random random = new Random(seed);
    byte[] expected = new byte[64 * 1024];
    byte[] actual = new byte[64 * 1024];
    for (long read = 0; read < size; ) {
      random.nextBytes(expected);
      System.arraycopy(MARKER, 0, expected, 0, MARKER.length);
      int n = (int) Math.min(expected.length, size - read);
      if (in.readNBytes(actual, 0, n) != n) {
        return false;
      }
      if (!java.util.Arrays.equals(expected, 0, n, actual, 0, n)) {
        return false;
      }
      read += n;
    }
    return in.read() < 0;
  }

  private void drain(Stored stored) throws IOException {
    try (InputStream in = cipher.decrypt(repository.open(KEY), stored.key, kek, AD)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
  }

  private Path file() {
    return repository.root().resolve(KEY);
  }

  private void flipByteAt(long offset) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
      f.seek(offset);
      int b = f.read();
      f.seek(offset);
      f.write(b ^ 0x01);
    }
  }

  private void truncateTo(long length) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file().toFile(), "rw")) {
      f.setLength(length);
    }
  }

  private static boolean contains(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i <= haystack.length - needle.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
