package dev.runbooks.workflows.shared;

import java.time.Instant;
import java.util.Objects;

/** A run that holds, or asks for, a target's lock. */
public record LockHolder(
    String target, String holderWorkflowId, RunbookKind kind, String initiator, Instant since) {
  public LockHolder {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(holderWorkflowId, "holderWorkflowId");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(initiator, "initiator");
  }

  /** The sentence a refused start shows. */
  public String describe() {
    return kind.label()
        + " run "
        + holderWorkflowId
        + " (started by "
        + initiator
        + (since == null ? "" : " at " + since)
        + ")";
  }
}
