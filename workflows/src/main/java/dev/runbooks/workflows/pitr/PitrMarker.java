package dev.runbooks.workflows.pitr;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What a PITR drill wrote on the primary: a marker row, a restore point right after it, and a
 * second marker after that; with the primary's row counts and objects as of the restore point.
 *
 * @param restorePoint the restore point's name (the drill's run ID)
 * @param restorePointLsn where {@code pg_create_restore_point} put it
 * @param endLsn the primary's WAL position after the second marker: the archive must reach it
 */
public record PitrMarker(
    String restorePoint,
    String restorePointLsn,
    String endLsn,
    Instant writtenAt,
    Map<String, Long> rowCounts,
    List<String> objects) {
  public PitrMarker {
    Objects.requireNonNull(restorePoint, "restorePoint");
    Objects.requireNonNull(restorePointLsn, "restorePointLsn");
    Objects.requireNonNull(endLsn, "endLsn");
    Objects.requireNonNull(writtenAt, "writtenAt");
    rowCounts = Map.copyOf(rowCounts);
    objects = List.copyOf(objects);
  }
}
