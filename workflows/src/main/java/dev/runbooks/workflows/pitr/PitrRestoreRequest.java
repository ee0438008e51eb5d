package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/**
 * @param port 0 lets the worker pick a free port
 */
public record PitrRestoreRequest(
    RunbookRequest runbook, PitrTarget to, String intoCluster, int port) {
  public PitrRestoreRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(to, "to");
    Objects.requireNonNull(intoCluster, "intoCluster");
  }
}
