package dev.runbooks.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * Warns, once per worker, when a worker other than {@code dev}'s own polls the in-memory service:
 * that service never hands a dead worker's workflow task to another worker, so a run that worker
 * held would stall until {@code dev} stops.
 */
final class OtherWorkers implements BiConsumer<String, String> {
  private final PrintWriter err;
  private final Set<String> warned = new HashSet<>();
  private final List<String[]> beforeOwnKnown = new ArrayList<>();
  private String own;

  OtherWorkers(PrintWriter err) {
    this.err = err;
  }

  /** The identity {@code dev}'s own worker polls with; polls seen before it are judged now. */
  synchronized void own(String identity) {
    own = identity;
    for (String[] poll : beforeOwnKnown) {
      judge(poll[0], poll[1]);
    }
    beforeOwnKnown.clear();
  }

  @Override
  public synchronized void accept(String identity, String taskQueue) {
    if (own == null) {
      beforeOwnKnown.add(new String[] {identity, taskQueue});
    } else {
      judge(identity, taskQueue);
    }
  }

  private void judge(String identity, String taskQueue) {
    if (identity.equals(own) || !warned.add(identity)) {
      return;
    }
    err.println(
        "WARNING: another worker ("
            + identity
            + ") polls task queue "
            + taskQueue
            + " of this in-memory service. dev is a single-process service: if that worker dies"
            + " while it holds a run's workflow task, the run is never handed to another worker and"
            + " stalls until dev stops. Stop that worker (dev's own serves every target), or run a"
            + " real Temporal (docker compose) for several workers.");
    err.flush();
  }
}
