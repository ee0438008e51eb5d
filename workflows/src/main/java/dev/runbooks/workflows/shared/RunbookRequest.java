package dev.runbooks.workflows.shared;

import java.time.Duration;
import java.util.Objects;

/**
 * What every runbook request carries besides its own fields: the target by name, who started it,
 * and how its approval gates behave.
 *
 * @param fourEyes when true, the initiator cannot approve their own run
 * @param approvalTimeout how long a gate waits before it aborts the run with compensation
 */
public record RunbookRequest(
    String target, String initiator, boolean fourEyes, Duration approvalTimeout) {
  public RunbookRequest {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(initiator, "initiator");
    Objects.requireNonNull(approvalTimeout, "approvalTimeout");
  }
}
