package dev.runbooks.workflows.pitr;

import java.util.Objects;

/** The restore-and-check call of a PITR drill. */
public record PitrDrillRun(PitrDrillInput drill, PitrMarker marker) {
  public PitrDrillRun {
    Objects.requireNonNull(drill, "drill");
    Objects.requireNonNull(marker, "marker");
  }
}
