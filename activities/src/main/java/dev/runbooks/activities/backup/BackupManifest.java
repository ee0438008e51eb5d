package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.WrappedKey;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a finished backup is: written last, beside its {@code dump.enc}, so a backup without a
 * manifest is incomplete. It carries everything a restore needs except the key-encryption key: the
 * wrapped data key, and the sizes and SHA-256 of the dump before and after encryption.
 *
 * @param formatVersion {@link #FORMAT_VERSION} when written by this version
 * @param id the backup's id, also its directory name under the target
 * @param target the configured target's name
 * @param database the database dumped
 * @param serverVersion the server's {@code server_version}
 * @param pgDumpVersion {@code pg_dump --version}
 * @param compression how the archive was compressed ({@link DumpCompression#manifestName()}); a
 *     format 1 manifest, which had no such field, reads as {@code pg_dump}'s
 * @param archiveBytes size of the {@code pg_dump -Fc} archive itself, before any compression of the
 *     worker's (format 1: the plaintext's size)
 * @param plaintextBytes size of what was encrypted: the archive, compressed as {@code compression}
 *     says
 * @param plaintextSha256 lowercase hex SHA-256 of what was encrypted
 * @param ciphertextSha256 lowercase hex SHA-256 of the stored object
 * @param rowCounts rows per table ({@code schema.table}) when the dump was taken, sorted by table
 * @param objects the dump's objects, sorted, as {@link Inventory} lists them
 * @param inventoryVersion which kinds of object {@code objects} lists ({@link InventoryQueries}); a
 *     manifest written before the field reads as 1
 */
public record BackupManifest(
    int formatVersion,
    String id,
    String target,
    String database,
    String serverVersion,
    String pgDumpVersion,
    Instant startedAt,
    Instant finishedAt,
    String compression,
    long archiveBytes,
    long plaintextBytes,
    String plaintextSha256,
    long ciphertextBytes,
    String ciphertextSha256,
    WrappedKey wrappedKey,
    Map<String, Long> rowCounts,
    List<String> objects,
    int inventoryVersion) {

  /** 2: the archive compressed by the worker ({@code compression}, {@code archiveBytes}). */
  public static final int FORMAT_VERSION = 2;

  public BackupManifest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(serverVersion, "serverVersion");
    Objects.requireNonNull(pgDumpVersion, "pgDumpVersion");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(plaintextSha256, "plaintextSha256");
    Objects.requireNonNull(ciphertextSha256, "ciphertextSha256");
    Objects.requireNonNull(wrappedKey, "wrappedKey");
    Objects.requireNonNull(rowCounts, "rowCounts");
    Objects.requireNonNull(objects, "objects");
    Objects.requireNonNull(compression, "compression");
    // Sorted copies, so the same backup always serialises to the same bytes.
    rowCounts = Collections.unmodifiableSortedMap(new TreeMap<>(rowCounts));
    objects = objects.stream().sorted().toList();
  }

  /**
   * How to decompress the archive.
   *
   * @throws dev.runbooks.activities.backup.crypto.CorruptedBackupException for a compression this
   *     version does not know
   */
  public DumpCompression dumpCompression() {
    return DumpCompression.named(compression);
  }
}
