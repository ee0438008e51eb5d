package dev.runbooks.workflows.rotation;

import java.util.List;
import java.util.Objects;

/**
 * Drop the {@code logins} that the prepare call with idempotency key {@code createdBy} created,
 * unless {@code secretPath} publishes one of them.
 */
public record DropLoginsInput(
    String target, String secretPath, List<String> logins, String createdBy) {
  public DropLoginsInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(secretPath, "secretPath");
    logins = List.copyOf(logins);
    Objects.requireNonNull(createdBy, "createdBy");
  }
}
