package dev.runbooks.workflows.rotation;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.Objects;

/**
 * @param role the group role holding the privileges (alternating), or the login role whose password
 *     is replaced (single)
 * @param grace how long the previous login keeps working after the new one is published
 *     (alternating); ignored by single
 */
public record RotationRequest(
    RunbookRequest runbook, String role, RotationStrategy strategy, Duration grace) {
  public RotationRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(grace, "grace");
  }
}
