package dev.runbooks.cli;

import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import java.time.Instant;
import java.util.Locale;

/**
 * A closed run's account, told as it ended. A run's own progress stops where the run was stopped:
 * aborted at its gate, timed out or terminated, its last step still says RUNNING and its gate still
 * waits for an approval nobody can give any more. Shown as it is, that tells an engineer to approve
 * a run that is gone.
 */
final class ClosedRun {
  private ClosedRun() {}

  /**
   * {@code progress} of a run with Temporal status {@code status}: unchanged while it runs; once
   * closed, each step still RUNNING is FAILED ("not finished: the run was aborted"), ended when the
   * run closed, and nothing awaits approval.
   *
   * @param closed when the run closed, or null when not known
   */
  static RunbookProgress settle(RunbookProgress progress, String status, Instant closed) {
    if (progress == null || status.equals("RUNNING")) {
      return progress;
    }
    String why = "not finished: the run " + how(progress.outcome(), status);
    return new RunbookProgress(
        progress.kind(),
        progress.target(),
        progress.initiator(),
        progress.steps().stream()
            .map(
                s ->
                    s.state() != StepState.RUNNING
                        ? s
                        : new Step(
                            s.name(),
                            StepState.FAILED,
                            s.start(),
                            closed,
                            s.detail().isEmpty() ? why : s.detail() + "; " + why))
            .toList(),
        null,
        progress.outcome(),
        progress.outcomeDetail(),
        progress.current());
  }

  /** "was aborted", "timed out": the outcome the run reported, else Temporal's status. */
  private static String how(Outcome outcome, String status) {
    switch (outcome) {
      case ABORTED:
        return "was aborted";
      case ROLLED_BACK:
        return "was rolled back";
      case FAILED:
        return "failed";
      case SUCCEEDED:
        return "ended";
      default:
        break;
    }
    switch (status) {
      case "CANCELED":
        return "was aborted";
      case "TIMED_OUT":
        return "timed out";
      case "COMPLETED":
        return "ended";
      default:
        return status.toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }
}
