package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param runId the workflow ID, recorded on the fenced server so that a retry, the rollback and a
 *     person can tell whose fence it is
 * @param server the member preflight found to be the primary; null in runs from before members were
 *     resolved, which meant the configured primary
 */
public record FenceInput(String target, String runId, String server) {
  public FenceInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(runId, "runId");
  }

  public FenceInput(String target, String runId) {
    this(target, runId, null);
  }
}
