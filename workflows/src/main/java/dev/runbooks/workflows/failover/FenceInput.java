package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param runId the workflow ID, recorded on the fenced server so that a retry, the rollback and a
 *     person can tell whose fence it is
 */
public record FenceInput(String target, String runId) {
  public FenceInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(runId, "runId");
  }
}
