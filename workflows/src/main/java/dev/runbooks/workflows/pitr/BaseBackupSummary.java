package dev.runbooks.workflows.pitr;

import java.time.Instant;
import java.util.Objects;

/** A physical base backup as stored: where, its WAL range, sizes and digest. */
public record BaseBackupSummary(
    String backupId,
    String target,
    String location,
    int timeline,
    String startLsn,
    String stopLsn,
    Instant startedAt,
    Instant finishedAt,
    long tarBytes,
    long ciphertextBytes,
    String ciphertextSha256) {
  public BaseBackupSummary {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(startLsn, "startLsn");
    Objects.requireNonNull(stopLsn, "stopLsn");
  }
}
