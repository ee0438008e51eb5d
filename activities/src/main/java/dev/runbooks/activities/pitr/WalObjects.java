package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.ZstdStreams;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Writes and reads the bytes of WAL archive objects ({@link WalObjectFormat}): the pipeline from a
 * local file through zstd and the envelope encryption into a repository upload, and back into a
 * verified local file. The data key is reused for a while, since wrapping one may be a call to
 * Vault.
 */
final class WalObjects {
  /** zstd's default level: WAL compresses well and fast at it. */
  private static final int ZSTD_LEVEL = 3;

  /** A data key serves this many objects, then a new one is wrapped (a Vault call each). */
  private static final int OBJECTS_PER_DATA_KEY = 256;

  private static final Duration DATA_KEY_AGE = Duration.ofHours(1);

  private final BackupRepository repository;
  private final KeyEncryptionKey kek;
  private final Clock clock;
  private final String where;
  private final BackupCipher cipher = new BackupCipher();

  private DataKey dataKey;
  private int dataKeyUses;
  private Instant dataKeyMade = Instant.MIN;

  WalObjects(BackupRepository repository, KeyEncryptionKey kek, Clock clock, String where) {
    this.repository = repository;
    this.kek = kek;
    this.clock = clock;
    this.where = where;
  }

  /** What an object holds, and under which key. */
  record Entry(
      String key, WalObjectKind kind, String name, int timeline, long startLsn, long endLsn) {}

  WalObjectHeader write(Path file, Entry entry) throws IOException {
    String key = entry.key();
    // Hashed first so the header (which precedes the ciphertext) can carry the digest; hashed
    // again while streaming, so a file that changed in between is caught, not stored.
    Digest expected;
    try (HashingInputStream in = new HashingInputStream(content(file, entry))) {
      in.transferTo(OutputStream.nullOutputStream());
      expected = in.digest();
    }
    DataKey key1 = dataKey();
    WalObjectHeader header =
        new WalObjectHeader(
            WalObjectHeader.FORMAT_VERSION,
            entry.kind(),
            entry.name(),
            entry.timeline(),
            entry.startLsn(),
            entry.endLsn(),
            expected.bytes(),
            expected.sha256(),
            key1.wrapped(),
            clock.instant());
    byte[] raw = WalObjectFormat.headerBytes(header);
    try (BackupUpload upload = repository.create(key);
        HashingInputStream in = new HashingInputStream(content(file, entry))) {
      WalObjectFormat.writeHeader(upload, raw);
      OutputStream encrypting =
          cipher.encrypt(upload, key1, WalObjectFormat.associatedData(key, raw));
      try (OutputStream compressing = ZstdStreams.compressing(encrypting, ZSTD_LEVEL)) {
        in.transferTo(compressing);
      }
      if (!in.digest().equals(expected)) {
        throw new IOException(
            "WAL file " + file + " changed while it was being archived; it is stored on retry");
      }
      upload.commit();
    }
    return header;
  }

  /**
   * What is stored of {@code file}: all of it, but for a partial segment only its WAL up to the
   * entry's end, zeros after (as the file was when pg_receivewal opened it). Past the flushed end
   * pg_receivewal is still writing: those bytes changed between the digest and the upload, which
   * failed the pass ("changed while it was being archived") every few seconds at full speed, and
   * they are not WAL yet. Zeros compress to nothing, so a young partial costs what it holds.
   */
  static InputStream content(Path file, Entry entry) throws IOException {
    InputStream in = Files.newInputStream(file);
    if (entry.kind() != WalObjectKind.PARTIAL) {
      return in;
    }
    long size = Files.size(file);
    long valid = Math.min(size, entry.endLsn() - entry.startLsn());
    return new ValidPrefixInputStream(in, valid, size);
  }

  WalObjectHeader readInto(InputStream in, String key, String fileName, Path into)
      throws IOException {
    WalObjectFormat.Read read = WalObjectFormat.readHeader(in, key);
    WalObjectHeader header = read.header();
    Path dir = into.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path temp = Files.createTempFile(dir, "." + into.getFileName(), ".fetching");
    try {
      Digest got;
      try (InputStream plain =
              ZstdStreams.decompressing(
                  cipher.decrypt(
                      in, header.key(), kek, WalObjectFormat.associatedData(key, read.raw())));
          HashingOutputStream out = new HashingOutputStream(Files.newOutputStream(temp))) {
        plain.transferTo(out);
        got = out.digest();
      } catch (CorruptedBackupException e) {
        throw new CorruptedBackupException(
            "WAL file " + fileName + " in " + where + ": " + e.getMessage(), e);
      } catch (IOException e) {
        if (e.getClass() == IOException.class && e.getMessage() != null) {
          // zstd's "truncated frame": the ciphertext authenticated, the frame did not end
          throw WalObjectFormat.corrupted(key, e.getMessage(), e);
        }
        throw e;
      }
      if (got.bytes() != header.bytes() || !got.sha256().equals(header.sha256())) {
        throw WalObjectFormat.corrupted(
            key,
            "WAL file "
                + fileName
                + " decrypted to "
                + got.bytes()
                + " bytes with SHA-256 "
                + got.sha256()
                + ", its header records "
                + header.bytes()
                + " bytes with "
                + header.sha256(),
            null);
      }
      Files.move(temp, into, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      return header;
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  private synchronized DataKey dataKey() {
    Instant now = clock.instant();
    if (dataKey == null
        || dataKeyUses >= OBJECTS_PER_DATA_KEY
        || now.isAfter(dataKeyMade.plus(DATA_KEY_AGE))) {
      dataKey = cipher.newDataKey(kek);
      dataKeyUses = 0;
      dataKeyMade = now;
    }
    dataKeyUses++;
    return dataKey;
  }
}
