package dev.runbooks.activities.postgres;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import java.util.function.Supplier;

/**
 * The topology each activity attempt resolved last, so that its connections to the primary ask
 * every member once per attempt rather than once per connection (a member that does not answer
 * costs the connect timeout each time it is asked). Never kept across attempts: a retry, the next
 * activity and the next run resolve again, since the topology may have changed in between (a
 * failover). Outside an activity nothing is kept.
 */
final class AttemptTopologies {
  private record Last(String attempt, String target, ResolvedTopology topology) {}

  /**
   * One per thread: an attempt runs on one thread, and a pooled thread's next attempt replaces it.
   */
  private final ThreadLocal<Last> last = new ThreadLocal<>();

  /** The topology this attempt resolved for {@code target}, else {@code resolve}'s, kept. */
  ResolvedTopology reuse(String target, Supplier<ResolvedTopology> resolve) {
    String attempt = currentAttempt();
    Last known = last.get();
    if (attempt != null
        && known != null
        && known.attempt().equals(attempt)
        && known.target().equals(target)) {
      return known.topology();
    }
    return fresh(target, resolve);
  }

  /** {@code resolve}'s topology, kept for the rest of this attempt. */
  ResolvedTopology fresh(String target, Supplier<ResolvedTopology> resolve) {
    ResolvedTopology topology = resolve.get();
    String attempt = currentAttempt();
    if (attempt == null) {
      last.remove();
    } else {
      last.set(new Last(attempt, target, topology));
    }
    return topology;
  }

  /** The running activity attempt, {@code runId/activityId/attempt}; null outside an activity. */
  private static String currentAttempt() {
    try {
      ActivityInfo info = Activity.getExecutionContext().getInfo();
      return info.getWorkflowRunId() + "/" + info.getActivityId() + "/" + info.getAttempt();
    } catch (IllegalStateException | NullPointerException notInAnActivity) {
      return null;
    }
  }
}
