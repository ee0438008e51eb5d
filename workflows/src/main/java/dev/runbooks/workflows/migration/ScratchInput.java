package dev.runbooks.workflows.migration;

import java.util.Objects;

/** A scratch database on the target's server that a rehearsal runs in. */
public record ScratchInput(String target, String database, String idempotencyKey) {
  public ScratchInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
