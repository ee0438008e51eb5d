package dev.runbooks.activities.migration;

import dev.runbooks.workflows.migration.VersionTiming;
import java.time.Duration;
import java.util.List;
import java.util.function.IntConsumer;
import org.flywaydb.core.api.callback.Callback;
import org.flywaydb.core.api.callback.Context;
import org.flywaydb.core.api.callback.Event;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Times each version Flyway applies, with the lock wait sampled meanwhile. */
final class PerVersion implements Callback {
  private static final Logger log = LoggerFactory.getLogger(PerVersion.class);

  private final LockWaits waits;
  private final List<VersionTiming> done;
  private final IntConsumer progress;
  private final String context;
  private volatile String current;
  private volatile long started;
  private volatile Duration waitedBefore = Duration.ZERO;

  PerVersion(LockWaits waits, List<VersionTiming> done, IntConsumer progress, String context) {
    this.waits = waits;
    this.done = done;
    this.progress = progress;
    this.context = context;
  }

  String current() {
    return current;
  }

  Duration elapsed() {
    return Duration.ofNanos(System.nanoTime() - started);
  }

  @Override
  public boolean supports(Event event, Context context) {
    return event == Event.BEFORE_EACH_MIGRATE || event == Event.AFTER_EACH_MIGRATE;
  }

  @Override
  public boolean canHandleInTransaction(Event event, Context context) {
    return true; // it touches no database
  }

  @Override
  public void handle(Event event, Context flyway) {
    if (event == Event.BEFORE_EACH_MIGRATE) {
      current = flyway.getMigrationInfo().getVersion().getVersion();
      waitedBefore = waits.waited();
      started = System.nanoTime();
      return;
    }
    VersionTiming t = new VersionTiming(current, elapsed(), waits.waited().minus(waitedBefore));
    done.add(t);
    current = null;
    progress.accept(done.size());
    log.info(
        "{}: V{} applied in {} ms (lock wait {} ms)",
        context,
        t.version(),
        t.duration().toMillis(),
        t.lockWait().toMillis());
  }

  @Override
  public String getCallbackName() {
    return "runbooks per-version timing";
  }
}
