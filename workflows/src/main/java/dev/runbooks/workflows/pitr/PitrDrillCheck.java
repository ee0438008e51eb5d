package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What a PITR drill found in its scratch cluster.
 *
 * @param differences what did not match (the marker, objects, row counts, pg_verifybackup,
 *     pg_amcheck); empty when the restore is proven
 * @param rto how long the restore took, fetch to promotion
 */
public record PitrDrillCheck(
    String backupId, PitrPoint reached, Duration rto, List<String> differences) {
  public PitrDrillCheck {
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(reached, "reached");
    Objects.requireNonNull(rto, "rto");
    differences = List.copyOf(differences);
  }
}
