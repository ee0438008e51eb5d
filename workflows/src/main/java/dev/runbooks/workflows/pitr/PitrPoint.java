package dev.runbooks.workflows.pitr;

import java.util.Objects;

/**
 * Where a recovery stopped.
 *
 * @param lsn the last WAL record replayed ({@code 0/3000148})
 * @param time the last transaction replayed committed at ({@code 2026-12-03 14:01:59.8+00}), or
 *     empty when none was
 * @param timeline the timeline the promoted cluster continues on
 */
public record PitrPoint(String lsn, String time, int timeline) {
  public PitrPoint {
    Objects.requireNonNull(lsn, "lsn");
    Objects.requireNonNull(time, "time");
  }
}
