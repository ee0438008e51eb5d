package dev.runbooks.cli;

import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.StepState;
import java.util.regex.Pattern;

/**
 * An ended run's words about retries, told as they turned out. An activity's message says "the
 * activity will be retried" while its run goes on; once the run has ended nothing of it is retried
 * any more: a permanent fault was never retried, and a transient one ran out of attempts.
 */
final class RetryWording {
  private static final Pattern PROMISE = Pattern.compile(";? ?the (activity|call) will be retried");

  private RetryWording() {}

  /**
   * {@code progress} with every promise of a retry that no longer holds replaced: in a failed step
   * (its activity is done retrying) and, once the run has ended, everywhere.
   *
   * @param ended whether the run has ended
   * @param exhausted whether the failing activity was retried until its attempts ran out
   */
  static RunbookProgress settled(RunbookProgress progress, boolean ended, boolean exhausted) {
    if (progress == null) {
      return null;
    }
    return new RunbookProgress(
        progress.kind(),
        progress.target(),
        progress.initiator(),
        progress.steps().stream()
            .map(
                s ->
                    ended || s.state() == StepState.FAILED
                        ? new Step(
                            s.name(), s.state(), s.start(), s.end(), ended(s.detail(), exhausted))
                        : s)
            .toList(),
        progress.awaitingApproval(),
        progress.outcome(),
        ended ? ended(progress.outcomeDetail(), exhausted) : progress.outcomeDetail(),
        ended ? ended(progress.current(), exhausted) : progress.current());
  }

  static String ended(String text, boolean exhausted) {
    if (text == null) {
      return null;
    }
    return PROMISE
        .matcher(text)
        .replaceAll(exhausted ? "; retried until its attempts ran out" : "");
  }
}
