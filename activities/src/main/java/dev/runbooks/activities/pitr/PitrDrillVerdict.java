package dev.runbooks.activities.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A PITR drill's verdict, kept beside the base backup it restored ({@code pitr-drill.json}).
 *
 * @param rto how long the restore took, fetch to promotion
 * @param rpo how far the archive was behind the primary: marker written to marker archived
 */
public record PitrDrillVerdict(
    String backupId,
    String drillId,
    boolean passed,
    List<String> differences,
    String reachedLsn,
    int reachedTimeline,
    Duration rto,
    Duration rpo,
    Instant judgedAt) {
  public PitrDrillVerdict {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(drillId, "drillId");
    differences = List.copyOf(differences);
    Objects.requireNonNull(reachedLsn, "reachedLsn");
    Objects.requireNonNull(rto, "rto");
    Objects.requireNonNull(rpo, "rpo");
    Objects.requireNonNull(judgedAt, "judgedAt");
  }
}
