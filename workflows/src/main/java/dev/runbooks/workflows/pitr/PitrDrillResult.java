package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A PITR drill's verdict.
 *
 * @param rto the restore's duration
 * @param rpo how far the archive was behind the primary when the marker was written
 */
public record PitrDrillResult(
    String backupId,
    boolean passed,
    List<String> differences,
    PitrPoint reached,
    Duration rto,
    Duration rpo) {
  public PitrDrillResult {
    Objects.requireNonNull(backupId, "backupId");
    differences = List.copyOf(differences);
    Objects.requireNonNull(reached, "reached");
    Objects.requireNonNull(rto, "rto");
    Objects.requireNonNull(rpo, "rpo");
  }
}
