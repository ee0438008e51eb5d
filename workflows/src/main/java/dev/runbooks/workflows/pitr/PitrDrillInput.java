package dev.runbooks.workflows.pitr;

import java.util.Objects;

/** A PITR drill's call: the target, the drill's ID (the marker's and restore point's name). */
public record PitrDrillInput(String target, String drillId, String idempotencyKey) {
  public PitrDrillInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(drillId, "drillId");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
