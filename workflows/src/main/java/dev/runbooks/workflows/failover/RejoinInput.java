package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param attempt rewind and restart the old primary when the worker runs on its host; false only
 *     lists the manual steps
 * @param oldPrimaryDown the old primary was down (unplanned failover)
 * @param oldPrimary the member that was the primary; null in runs from before members were
 *     resolved, which meant the configured primary
 */
public record RejoinInput(
    String target, String newPrimary, boolean attempt, boolean oldPrimaryDown, String oldPrimary) {
  public RejoinInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(newPrimary, "newPrimary");
  }

  public RejoinInput(String target, String newPrimary, boolean attempt, boolean oldPrimaryDown) {
    this(target, newPrimary, attempt, oldPrimaryDown, null);
  }
}
