package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.CorruptedBackupException;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Objects;
import java.util.Optional;

/**
 * A target's continuous WAL archive in a backup repository: the contract between the archiver,
 * which stores WAL, and physical restores, which fetch it.
 *
 * <h2>Layout</h2>
 *
 * <pre>
 * &lt;target&gt;/wal/&lt;timeline, 8 hex&gt;/&lt;segment name&gt;           a complete segment
 * &lt;target&gt;/wal/&lt;timeline, 8 hex&gt;/&lt;segment name&gt;.partial   the segment being written
 * &lt;target&gt;/wal/&lt;timeline, 8 hex&gt;.history                 a timeline history file
 * </pre>
 *
 * <h2>Objects</h2>
 *
 * Each object is {@link WalObjectFormat}: a clear-text JSON header ({@link WalObjectHeader}: the
 * file's name, timeline, LSN range, plaintext length and SHA-256, the wrapped data key), then the
 * file compressed with zstd and encrypted with the same envelope encryption as logical backups
 * ({@link BackupCipher}: a Tink streaming data key wrapped by the configured key-encryption key).
 * The header and the object's key are the ciphertext's associated data: an object renamed, or a
 * header edited, fails authentication. Every object is written through a {@link BackupUpload} and
 * appears only whole, on commit.
 *
 * <h2>Rules the archiver relies on</h2>
 *
 * <ul>
 *   <li>A complete segment or history file is written once. Storing it again with the same SHA-256
 *       writes nothing ({@link Stored#written()} false); with a different one it is refused with
 *       {@link ConflictingWalException}.
 *   <li>A partial segment replaces the stored one only when it reaches further ({@code endLsn});
 *       once the complete segment is stored, the partial of that segment is deleted.
 *   <li>A missing segment is a gap: {@link WalInventory} shows it, nothing fills it in.
 * </ul>
 *
 * <h2>For restores</h2>
 *
 * {@link #inventory()} says what is held ({@link WalInventory#contiguousEnd} is how far a recovery
 * from a base backup's start can go); {@link #fetch(String, Path)} writes one WAL file, decrypted
 * and verified, to a local path, as a {@code restore_command} needs it. Thread-safe.
 */
public final class WalArchive {
  private final BackupRepository repository;
  private final KeyEncryptionKey kek;
  private final String target;
  private final Clock clock;
  private final WalObjects objects;

  public WalArchive(BackupRepository repository, KeyEncryptionKey kek, String target, Clock clock) {
    this.repository = Objects.requireNonNull(repository, "repository");
    this.kek = Objects.requireNonNull(kek, "kek");
    this.target = Objects.requireNonNull(target, "target");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.objects = new WalObjects(repository, kek, clock, describe());
  }

  /** What a store did: the object's key and header, and whether anything was written. */
  public record Stored(String key, WalObjectHeader header, boolean written) {}

  /** Every WAL object of {@code target} is under this prefix. */
  public static String prefix(String target) {
    return target + "/wal/";
  }

  public static String segmentKey(String target, WalSegment segment) {
    return prefix(target) + WalSegment.timelineName(segment.timeline()) + "/" + segment.name();
  }

  public static String partialKey(String target, WalSegment segment) {
    return segmentKey(target, segment) + ".partial";
  }

  public static String historyKey(String target, int timeline) {
    return prefix(target) + historyName(timeline);
  }

  /** {@code 00000002.history}. */
  public static String historyName(int timeline) {
    return WalSegment.timelineName(timeline) + ".history";
  }

  /** Where this archive is, for messages: {@code s3://bucket/prefix/orders/wal/}. */
  public String describe() {
    return repository.describe() + "/" + prefix(target);
  }

  /**
   * Stores a complete segment; {@code file}'s name is the segment's name and it must be a whole
   * segment ({@value WalSegment#SIZE} bytes). Then deletes the segment's partial, if stored.
   *
   * @throws ConflictingWalException when the archive holds this segment with other contents
   */
  public Stored storeSegment(Path file) throws IOException {
    WalSegment segment = WalSegment.parse(file.getFileName().toString());
    requireWholeSegment(file, segment.name());
    Stored stored =
        storeOnce(
            file,
            new WalObjects.Entry(
                segmentKey(target, segment),
                WalObjectKind.SEGMENT,
                segment.name(),
                segment.timeline(),
                segment.startLsn(),
                segment.endLsn()));
    repository.delete(partialKey(target, segment));
    return stored;
  }

  /**
   * Stores the segment being written, {@code file} (zero-padded, as {@code pg_receivewal} keeps
   * it), valid up to {@code endLsn}: the flushed position read <em>before</em> the file was read,
   * so every byte below it is in the file. Writes nothing when the archive holds the complete
   * segment or a partial that reaches as far.
   */
  public Stored storePartial(Path file, WalSegment segment, long endLsn) throws IOException {
    requireWholeSegment(file, segment.name() + ".partial");
    if (endLsn <= segment.startLsn() || endLsn > segment.endLsn()) {
      throw new IllegalArgumentException(
          "the end "
              + WalSegment.formatLsn(endLsn)
              + " of partial segment "
              + segment.name()
              + " is outside the segment");
    }
    String key = partialKey(target, segment);
    if (repository.exists(segmentKey(target, segment))) {
      return new Stored(segmentKey(target, segment), header(segmentKey(target, segment)), false);
    }
    Optional<WalObjectHeader> existing = headerIfStored(key);
    if (existing.isPresent() && existing.get().endLsn() >= endLsn) {
      return new Stored(key, existing.get(), false);
    }
    return new Stored(
        key,
        objects.write(
            file,
            new WalObjects.Entry(
                key,
                WalObjectKind.PARTIAL,
                segment.name(),
                segment.timeline(),
                segment.startLsn(),
                endLsn)),
        true);
  }

  /**
   * Stores a timeline history file, {@code file} named {@code 00000002.history}.
   *
   * @throws ConflictingWalException when the archive holds another history for that timeline
   */
  public Stored storeHistory(Path file) throws IOException {
    String name = file.getFileName().toString();
    int timeline = WalFiles.historyTimeline(name);
    return storeOnce(
        file,
        new WalObjects.Entry(
            historyKey(target, timeline), WalObjectKind.HISTORY, name, timeline, 0, 0));
  }

  /** What the archive holds; reads the partials' and history files' headers. */
  public WalInventory inventory() throws IOException {
    return WalInventories.read(this, repository, target);
  }

  /**
   * Writes the WAL file named {@code fileName} into {@code into}, decrypted and verified (length
   * and SHA-256 against the header): a segment ({@code 000000010000000000000003}, served from its
   * partial when only that is stored: the zero padding ends recovery there), a partial by its own
   * name ({@code ....partial}), or a history file ({@code 00000002.history}). {@code into} appears
   * only whole (a temporary file beside it, then a rename); an existing file is replaced.
   *
   * @return the header of the object read
   * @throws MissingWalException when the archive holds no such file; the message names the file and
   *     what the archive holds
   * @throws CorruptedBackupException when the object fails authentication or its digest; the
   *     message names the file, and {@code into} is not written
   */
  public WalObjectHeader fetch(String fileName, Path into) throws IOException {
    String key = keyFor(fileName);
    if (key == null) {
      throw new IllegalArgumentException(
          "expected a WAL file name (000000010000000000000003, 000000010000000000000003.partial,"
              + " 00000002.history), found "
              + fileName);
    }
    if (WalSegment.isName(fileName) && !repository.exists(key)) {
      String partial = partialKey(target, WalSegment.parse(fileName));
      if (repository.exists(partial)) {
        key = partial;
      }
    }
    try (InputStream in = repository.open(key)) {
      return objects.readInto(in, key, fileName, into);
    } catch (ObjectNotFoundException e) {
      throw new MissingWalException(
          fileName,
          "the WAL archive "
              + describe()
              + " holds no "
              + fileName
              + " (it holds "
              + inventory().describe()
              + "): recovery cannot go past this point; a gap in the archive ends the"
              + " recoverable window, restore to a point before it");
    }
  }

  /** The header of the stored object under {@code key}. */
  WalObjectHeader header(String key) throws IOException {
    try (InputStream in = repository.open(key)) {
      return WalObjectFormat.readHeader(in, key).header();
    }
  }

  private Optional<WalObjectHeader> headerIfStored(String key) throws IOException {
    try {
      return Optional.of(header(key));
    } catch (ObjectNotFoundException e) {
      return Optional.empty();
    }
  }

  private String keyFor(String fileName) {
    if (fileName == null) {
      return null;
    }
    if (WalSegment.isName(fileName)) {
      return segmentKey(target, WalSegment.parse(fileName));
    }
    if (fileName.endsWith(".partial")
        && WalSegment.isName(fileName.substring(0, fileName.length() - 8))) {
      return partialKey(target, WalSegment.parse(fileName.substring(0, fileName.length() - 8)));
    }
    if (WalFiles.isHistoryName(fileName)) {
      return historyKey(target, WalFiles.historyTimeline(fileName));
    }
    return null;
  }

  private Stored storeOnce(Path file, WalObjects.Entry entry) throws IOException {
    String key = entry.key();
    Optional<WalObjectHeader> existing = headerIfStored(key);
    if (existing.isPresent()) {
      Digest local = digestOf(file);
      if (!existing.get().sha256().equals(local.sha256())
          || existing.get().bytes() != local.bytes()) {
        throw new ConflictingWalException(
            "the WAL archive "
                + describe()
                + " already holds "
                + entry.name()
                + " with other contents (stored SHA-256 "
                + existing.get().sha256()
                + ", this server's "
                + local.sha256()
                + "): two clusters are archiving into one target's archive, or a cluster was"
                + " re-created under the same name; the stored file is kept. Point the target"
                + " at its own repository prefix, or move the old archive away");
      }
      return new Stored(key, existing.get(), false);
    }
    return new Stored(key, objects.write(file, entry), true);
  }

  static Digest digestOf(Path file) throws IOException {
    try (HashingInputStream in = new HashingInputStream(Files.newInputStream(file))) {
      in.transferTo(OutputStream.nullOutputStream());
      return in.digest();
    }
  }

  private static void requireWholeSegment(Path file, String what) throws IOException {
    long size = Files.size(file);
    if (size != WalSegment.SIZE) {
      throw new IllegalArgumentException(
          "WAL file "
              + what
              + " is "
              + size
              + " bytes, expected "
              + WalSegment.SIZE
              + ": the archive supports the default 16 MB wal_segment_size only");
    }
  }
}
