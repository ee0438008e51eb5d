package dev.runbooks.workflows.shared;

import java.util.List;
import java.util.Objects;

/**
 * The answer to every runbook's {@code progress()} query.
 *
 * @param awaitingApproval the step waiting for {@code approve}, or null
 * @param outcomeDetail one line on why the run ended as it did; empty while running
 * @param current the current details shown in the Temporal UI
 */
public record RunbookProgress(
    RunbookKind kind,
    String target,
    String initiator,
    List<Step> steps,
    String awaitingApproval,
    Outcome outcome,
    String outcomeDetail,
    String current) {
  public RunbookProgress {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(initiator, "initiator");
    steps = List.copyOf(steps);
    Objects.requireNonNull(outcome, "outcome");
    outcomeDetail = outcomeDetail == null ? "" : outcomeDetail;
    current = current == null ? "" : current;
  }

  /** A run whose body has not set up its runbook yet: no steps, nothing awaiting approval. */
  public static RunbookProgress starting(RunbookKind kind) {
    return new RunbookProgress(kind, "", "", List.of(), null, Outcome.RUNNING, "", "starting");
  }
}
