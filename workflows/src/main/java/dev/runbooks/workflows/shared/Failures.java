package dev.runbooks.workflows.shared;

import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.ChildWorkflowFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.failure.TimeoutFailure;

/** Reading Temporal failures back into what an operator needs: the cause's own words and type. */
public final class Failures {
  /** The innermost meaningful message: an activity's own message rather than the wrapper's. */
  public static String describe(Throwable failure) {
    Throwable t = failure;
    while ((t instanceof ActivityFailure || t instanceof ChildWorkflowFailure)
        && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ApplicationFailure app) {
      return app.getOriginalMessage();
    }
    if (t instanceof TimeoutFailure timeout) {
      return "timed out (" + timeout.getTimeoutType() + ")";
    }
    if (t instanceof TemporalFailure temporal) {
      return temporal.getOriginalMessage();
    }
    return String.valueOf(t.getMessage());
  }

  /** The {@link FailureType} behind a failure, or null when it is not one of ours. */
  public static FailureType typeOf(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof ApplicationFailure app) {
        return FailureType.of(app.getType());
      }
    }
    return null;
  }

  /** Whether a failure is (or wraps) a cancellation. */
  public static boolean isCancellation(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof CanceledFailure) {
        return true;
      }
    }
    return false;
  }

  private Failures() {}
}
