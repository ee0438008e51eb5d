package dev.runbooks.workflows.rotation;

import java.time.Duration;
import java.util.Objects;

/**
 * What a rotation did. Never a password: the new one is in the secret store, at {@code secretPath}
 * version {@code newVersion}.
 *
 * @param renewedLogin the login role whose password was renewed and published
 * @param previousVersion the version that was current before, or 0 when the secret was new
 * @param previousLogin the login that version named, or null
 * @param expiredLogin the login expired after the grace period, or null (single, first rotation)
 * @param sessionsTerminated sessions of the expired login that were still open after the grace
 * @param rotationDuration the run's own work, the grace period excluded
 */
public record RotationResult(
    String role,
    RotationStrategy strategy,
    String secretPath,
    String renewedLogin,
    int newVersion,
    int previousVersion,
    String previousLogin,
    String expiredLogin,
    int sessionsTerminated,
    Duration rotationDuration,
    Duration grace) {
  public RotationResult {
    Objects.requireNonNull(role, "role");
    Objects.requireNonNull(strategy, "strategy");
    Objects.requireNonNull(secretPath, "secretPath");
    Objects.requireNonNull(renewedLogin, "renewedLogin");
    Objects.requireNonNull(rotationDuration, "rotationDuration");
    Objects.requireNonNull(grace, "grace");
  }
}
