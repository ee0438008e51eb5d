package dev.runbooks.workflows.failover;

import java.util.Objects;

/** Point {@code replica} of {@code target} at {@code newPrimary}, another of its replicas. */
public record RepointInput(String target, String replica, String newPrimary) {
  public RepointInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(replica, "replica");
    Objects.requireNonNull(newPrimary, "newPrimary");
  }
}
