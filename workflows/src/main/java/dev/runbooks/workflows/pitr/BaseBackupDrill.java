package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A complete physical base backup and the verdict of the newest PITR drill that restored it, as
 * {@code runbook backups} shows them.
 *
 * @param drilled whether a PITR drill ever restored it; the fields after it are null/empty if not
 * @param passed the newest drill's verdict
 * @param rto that drill's restore duration
 * @param rpo the archive's lag that drill measured
 * @param differences what that drill found different from the primary
 */
public record BaseBackupDrill(
    String backupId,
    int timeline,
    String startLsn,
    String stopLsn,
    Instant finishedAt,
    long ciphertextBytes,
    boolean drilled,
    boolean passed,
    Instant drilledAt,
    Duration rto,
    Duration rpo,
    List<String> differences) {
  public BaseBackupDrill {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(startLsn, "startLsn");
    Objects.requireNonNull(stopLsn, "stopLsn");
    Objects.requireNonNull(finishedAt, "finishedAt");
    differences = differences == null ? List.of() : List.copyOf(differences);
  }
}
