package dev.runbooks.workflows.rotation;

import java.util.Objects;

/**
 * Renew {@code login}'s password and publish it at {@code secretPath} with check-and-set {@code
 * expectedVersion}. Carries no password: the activity makes it.
 */
public record RenewInput(
    String target,
    String role,
    RotationStrategy strategy,
    String login,
    String secretPath,
    int expectedVersion,
    String idempotencyKey) {
  public RenewInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(login, "login");
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
