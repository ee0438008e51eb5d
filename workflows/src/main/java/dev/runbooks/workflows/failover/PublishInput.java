package dev.runbooks.workflows.failover;

import java.util.Objects;

public record PublishInput(String target, String newPrimary, int timeline, String runId) {
  public PublishInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(newPrimary, "newPrimary");
    Objects.requireNonNull(runId, "runId");
  }
}
