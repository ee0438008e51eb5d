package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.util.Objects;

/** A PITR drill's verdict, recorded beside the base backup it restored. */
public record PitrVerdictInput(PitrDrillInput drill, PitrDrillCheck check, Duration rpo) {
  public PitrVerdictInput {
    Objects.requireNonNull(drill, "drill");
    Objects.requireNonNull(check, "check");
    Objects.requireNonNull(rpo, "rpo");
  }
}
