package dev.runbooks.workflows.migration;

import java.util.List;
import java.util.Objects;

/** The versions this run applied, to be checked on the target. */
public record VerifyInput(String target, List<String> versions, String idempotencyKey) {
  public VerifyInput {
    Objects.requireNonNull(target, "target");
    versions = List.copyOf(versions);
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
