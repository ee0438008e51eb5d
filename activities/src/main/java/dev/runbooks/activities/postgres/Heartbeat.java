package dev.runbooks.activities.postgres;

import dev.runbooks.workflows.shared.ActivityProgress;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.client.ActivityCompletionException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Heartbeats a long activity's progress ({@code done} of {@code total} units) from a thread of its
 * own, once a second, for as long as it is open. A side thread rather than the copying loop,
 * because a restore can spend many quiet minutes building indexes after its last byte, and the
 * worker is alive all the same.
 *
 * <p>When Temporal answers a heartbeat with a cancellation or a timeout, the stop actions run (they
 * kill {@code pg_dump} or {@code pg_restore}, which ends the copying loop), and {@link #check()}
 * rethrows it in the activity's thread. Outside an activity (a plain unit test) nothing is sent.
 */
public final class Heartbeat implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  public static final Duration INTERVAL = Duration.ofSeconds(1);

  private final ActivityExecutionContext context;
  private final String step;
  private final String unit;
  private final AtomicLong done = new AtomicLong();
  private final AtomicLong total = new AtomicLong();
  private volatile String detail;
  private final List<Runnable> onStop = new CopyOnWriteArrayList<>();
  private final Thread thread;
  private volatile ActivityCompletionException stopped;
  private final CountDownLatch closed = new CountDownLatch(1);

  private Heartbeat(ActivityExecutionContext context, String step, long total, String unit) {
    this.context = context;
    this.step = step;
    this.unit = unit;
    this.total.set(total);
    if (context == null) {
      thread = null;
      return;
    }
    send();
    thread = new Thread(this::run, "runbooks-heartbeat-" + step);
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts heartbeating {@code step}; {@code total} is 0 when unknown. */
  public static Heartbeat start(String step, long total, String unit) {
    return new Heartbeat(currentContext(), step, total, unit);
  }

  private static ActivityExecutionContext currentContext() {
    try {
      return Activity.getExecutionContext();
    } catch (IllegalStateException | NullPointerException notInAnActivity) {
      return null;
    }
  }

  public void add(long units) {
    done.addAndGet(units);
  }

  public void set(long units) {
    done.set(units);
  }

  public long done() {
    return done.get();
  }

  public void total(long units) {
    total.set(units);
  }

  /** What the activity is doing now, sent with each heartbeat from now on; null for nothing. */
  public void detail(String now) {
    detail = now;
  }

  /** Runs when Temporal cancels the activity or times it out; should make the work stop soon. */
  public void onStop(Runnable action) {
    onStop.add(action);
    if (stopped != null) {
      action.run();
    }
  }

  /** Rethrows a cancellation or timeout Temporal reported, in the caller's thread. */
  public void check() {
    ActivityCompletionException e = stopped;
    if (e != null) {
      throw e;
    }
  }

  private void run() {
    try {
      // Waits on a latch rather than being interrupted: an interrupt could land inside the SDK's
      // own heartbeat call.
      while (!closed.await(INTERVAL.toMillis(), TimeUnit.MILLISECONDS)) {
        if (!send()) {
          return;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** False once Temporal has said to stop. */
  private boolean send() {
    try {
      context.heartbeat(new ActivityProgress(step, done.get(), total.get(), unit, detail));
      return true;
    } catch (ActivityCompletionException e) {
      log.info("{} stops: Temporal answered its heartbeat with {}", step, e.toString());
      stopped = e;
      onStop.forEach(Heartbeat::runQuietly);
      return false;
    } catch (RuntimeException e) {
      // A heartbeat that could not be sent is retried next second; the work goes on.
      log.debug("heartbeat of {} failed: {}", step, e.toString());
      return true;
    }
  }

  private static void runQuietly(Runnable action) {
    try {
      action.run();
    } catch (RuntimeException e) {
      log.warn("stopping after a cancellation failed: {}", e.toString());
    }
  }

  /** Stops heartbeating, after a last heartbeat with the final count. */
  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    closed.countDown();
    if (thread != null && stopped == null) {
      send();
    }
  }
}
