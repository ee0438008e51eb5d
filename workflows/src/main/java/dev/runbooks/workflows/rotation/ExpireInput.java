package dev.runbooks.workflows.rotation;

import java.util.Objects;

/** Expire {@code login} and end its sessions, unless {@code secretPath} says it is current. */
public record ExpireInput(String target, String login, String secretPath, String idempotencyKey) {
  public ExpireInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(login, "login");
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
