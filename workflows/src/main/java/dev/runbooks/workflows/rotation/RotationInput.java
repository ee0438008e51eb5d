package dev.runbooks.workflows.rotation;

import java.util.Objects;

/** Which role of which target a rotation works on, and the call's idempotency key. */
public record RotationInput(
    String target, String role, RotationStrategy strategy, String idempotencyKey) {
  public RotationInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
