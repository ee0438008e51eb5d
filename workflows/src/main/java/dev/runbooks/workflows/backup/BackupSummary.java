package dev.runbooks.workflows.backup;

import java.time.Instant;
import java.util.Objects;

/**
 * A complete backup as its manifest describes it (the manifest itself stays in the repository).
 *
 * @param location where it is, e.g. {@code s3://backups/prod/orders/20261124T020000Z-1a2b}
 * @param newKeyset the backup key file this backup's dump created (the first backup of a repository
 *     with a local keyset), which must be copied somewhere safe; null otherwise
 */
public record BackupSummary(
    String backupId,
    String target,
    String location,
    Instant startedAt,
    Instant finishedAt,
    long plaintextBytes,
    long ciphertextBytes,
    String ciphertextSha256,
    int tables,
    long rows,
    String newKeyset) {
  public BackupSummary {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(location, "location");
  }

  /** A backup whose dump used a key that existed already. */
  public BackupSummary(
      String backupId,
      String target,
      String location,
      Instant startedAt,
      Instant finishedAt,
      long plaintextBytes,
      long ciphertextBytes,
      String ciphertextSha256,
      int tables,
      long rows) {
    this(
        backupId,
        target,
        location,
        startedAt,
        finishedAt,
        plaintextBytes,
        ciphertextBytes,
        ciphertextSha256,
        tables,
        rows,
        null);
  }

  /** What the run tells of a keyset its dump created: where it is, and to copy it now. */
  public String newKeysetNotice() {
    return newKeyset == null
        ? ""
        : "a NEW backup keyset was created at "
            + newKeyset
            + ": copy it somewhere safe now, apart from the backups (runbook keys export --to"
            + " FILE); without it no backup can be read";
  }
}
