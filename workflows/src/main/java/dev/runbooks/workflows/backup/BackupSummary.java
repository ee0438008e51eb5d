package dev.runbooks.workflows.backup;

import java.time.Instant;
import java.util.Objects;

/**
 * A complete backup as its manifest describes it (the manifest itself stays in the repository).
 *
 * @param location where it is, e.g. {@code s3://backups/prod/orders/20261124T020000Z-1a2b}
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
    long rows) {
  public BackupSummary {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(location, "location");
  }
}
