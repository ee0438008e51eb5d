package dev.runbooks.cli;

import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.Step;
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
   * {@code progress} of an ended run with every promise of a retry replaced.
   *
   * @param exhausted whether the failing activity was retried until its attempts ran out
   */
  static RunbookProgress ended(RunbookProgress progress, boolean exhausted) {
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
                    new Step(s.name(), s.state(), s.start(), s.end(), ended(s.detail(), exhausted)))
            .toList(),
        progress.awaitingApproval(),
        progress.outcome(),
        ended(progress.outcomeDetail(), exhausted),
        ended(progress.current(), exhausted));
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
