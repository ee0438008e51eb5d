package dev.runbooks.workflows.shared;

import java.util.Objects;

/** An approval of the step a run waits on. {@code approver} is the identity of who approved. */
public record Approval(String approver, String comment) {
  public Approval {
    Objects.requireNonNull(approver, "approver");
    comment = comment == null ? "" : comment;
  }
}
