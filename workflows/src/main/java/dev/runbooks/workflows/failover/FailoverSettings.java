package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A target's {@code failover:} configuration, as the workflow needs it.
 *
 * @param approvalRequired wait for an approval before fencing (or, unplanned, before promoting)
 * @param catchUpTimeout how long the candidate may take to replay the fenced primary's last WAL
 * @param maxLagBytes the default of {@code --max-lag}
 * @param hook the command run after the new endpoint is stored, shown for the plan; null for none
 */
public record FailoverSettings(
    boolean approvalRequired, Duration catchUpTimeout, long maxLagBytes, String hook) {
  public FailoverSettings {
    Objects.requireNonNull(catchUpTimeout, "catchUpTimeout");
  }

  /** The settings with the configured hook command; an empty one is none. */
  public static FailoverSettings of(
      boolean approvalRequired, Duration catchUpTimeout, long maxLagBytes, List<String> hook) {
    return new FailoverSettings(
        approvalRequired,
        catchUpTimeout,
        maxLagBytes,
        hook.isEmpty() ? null : String.join(" ", hook));
  }
}
