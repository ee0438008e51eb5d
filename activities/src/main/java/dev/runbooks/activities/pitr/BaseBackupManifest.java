package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.WrappedKey;
import java.time.Instant;
import java.util.Objects;

/**
 * What a physical base backup is, written last ({@code physical.json}) once the WAL archive holds
 * the WAL up to {@code stopLsn}. It carries everything a restore needs but the key-encryption key.
 *
 * @param systemIdentifier the cluster's {@code system_identifier}: WAL of another cluster never
 *     replays onto it
 * @param timeline the timeline the backup started on
 * @param startLsn where recovery from it starts ({@code 0/2000028})
 * @param stopLsn the point recovery must reach before the cluster is consistent
 * @param tarBytes the tar's size as pg_basebackup wrote it
 * @param plaintextBytes the zstd-compressed tar's size, which was encrypted
 * @param pgManifestSha256 SHA-256 of PostgreSQL's backup_manifest (stored encrypted beside)
 */
public record BaseBackupManifest(
    int formatVersion,
    String id,
    String target,
    String serverVersion,
    String systemIdentifier,
    String pgBasebackupVersion,
    Instant startedAt,
    Instant finishedAt,
    int timeline,
    String startLsn,
    String stopLsn,
    String compression,
    long tarBytes,
    long plaintextBytes,
    String plaintextSha256,
    long ciphertextBytes,
    String ciphertextSha256,
    long pgManifestBytes,
    String pgManifestSha256,
    WrappedKey wrappedKey) {
  public static final int FORMAT_VERSION = 1;

  public BaseBackupManifest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(serverVersion, "serverVersion");
    Objects.requireNonNull(systemIdentifier, "systemIdentifier");
    Objects.requireNonNull(pgBasebackupVersion, "pgBasebackupVersion");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(finishedAt, "finishedAt");
    Objects.requireNonNull(startLsn, "startLsn");
    Objects.requireNonNull(stopLsn, "stopLsn");
    Objects.requireNonNull(compression, "compression");
    Objects.requireNonNull(plaintextSha256, "plaintextSha256");
    Objects.requireNonNull(ciphertextSha256, "ciphertextSha256");
    Objects.requireNonNull(pgManifestSha256, "pgManifestSha256");
    Objects.requireNonNull(wrappedKey, "wrappedKey");
  }
}
