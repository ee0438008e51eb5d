package dev.runbooks.cli;

import dev.runbooks.workflows.shared.LockHolder;

/** A mutating runbook was refused because another run holds the target: exit code 1. */
final class TargetLockedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  TargetLockedException(String requested, LockHolder holder) {
    super(
        "target "
            + holder.target()
            + " is held by "
            + holder.describe()
            + ", so "
            + requested
            + " was not started. Wait for that run to end ('runbook watch "
            + holder.holderWorkflowId()
            + "'), or abort it ('runbook abort "
            + holder.holderWorkflowId()
            + "'), then start again.");
  }
}
