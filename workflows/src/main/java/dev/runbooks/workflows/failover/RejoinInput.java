package dev.runbooks.workflows.failover;

import java.util.Objects;

/**
 * @param attempt rewind and restart the old primary when the worker runs on its host; false only
 *     lists the manual steps
 * @param oldPrimaryDown the old primary was down (unplanned failover)
 */
public record RejoinInput(
    String target, String newPrimary, boolean attempt, boolean oldPrimaryDown) {
  public RejoinInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(newPrimary, "newPrimary");
  }
}
