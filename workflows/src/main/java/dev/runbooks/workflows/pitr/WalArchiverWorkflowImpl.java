package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.FailureType;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;

public class WalArchiverWorkflowImpl implements WalArchiverWorkflow {
  private static final Logger log = Workflow.getLogger(WalArchiverWorkflowImpl.class);

  /** One session's length: the activity returns then and the next one starts. */
  static final Duration SESSION = Duration.ofMinutes(30);

  /** Sessions per run before continuing as new (12 hours of history at most). */
  static final int SESSIONS_PER_RUN = 24;

  /** The pause after a session failed for good, before the next one tries again. */
  static final Duration RETRY_PAUSE = Duration.ofSeconds(15);

  /**
   * A session streams for {@link #SESSION} and heartbeats every second: a worker that dies is
   * noticed after the heartbeat timeout and the session is retried on another one, which resumes
   * where the archive ends (the slot holds the WAL meanwhile).
   */
  static final ActivityOptions STREAMING =
      ActivityOptions.newBuilder()
          .setStartToCloseTimeout(SESSION.plus(Duration.ofMinutes(5)))
          // Every attempt may run its whole session: the bound leaves room for all five.
          .setScheduleToCloseTimeout(SESSION.plus(Duration.ofMinutes(6)).multipliedBy(5))
          .setHeartbeatTimeout(Duration.ofSeconds(20))
          .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED)
          .setRetryOptions(
              RetryOptions.newBuilder()
                  .setInitialInterval(Duration.ofSeconds(1))
                  .setBackoffCoefficient(2.0)
                  .setMaximumInterval(Duration.ofSeconds(10))
                  .setMaximumAttempts(5)
                  .setDoNotRetry(FailureType.names())
                  .build())
          .setSummary("stream WAL into the archive")
          .build();

  private final WalArchiverActivities activities =
      Workflow.newActivityStub(WalArchiverActivities.class, STREAMING);

  private String target = "";
  private String state = "STARTING";
  private Instant since;
  private long sessions;
  private ArchiveSession last;
  private String problem = "";
  private final List<String> gaps = new ArrayList<>();
  private boolean stopRequested;

  @Override
  public void run(ArchiverRequest request) {
    target = request.target();
    sessions = request.sessions();
    gaps.addAll(request.gaps());
    since = now();
    for (int i = 0; i < SESSIONS_PER_RUN && !stopRequested; i++) {
      session();
    }
    if (!stopRequested) {
      Workflow.continueAsNew(
          new ArchiverRequest(target, request.initiator(), sessions, List.copyOf(gaps)));
    }
    enter("STOPPED");
  }

  private void session() {
    enter("STREAMING");
    List<Promise<ArchiveSession>> running = new ArrayList<>();
    CancellationScope scope =
        Workflow.newCancellationScope(
            () -> {
              running.add(
                  Async.function(activities::archiveWal, new ArchiveInput(target, SESSION)));
            });
    scope.run();
    Promise<ArchiveSession> promise = running.get(0);
    Workflow.await(() -> stopRequested || promise.isCompleted());
    if (!promise.isCompleted()) {
      enter("STOPPING");
      scope.cancel();
    }
    try {
      ArchiveSession done = promise.get();
      last = done;
      sessions++;
      for (String gap : done.gaps()) {
        gaps.add(gap);
        log.warn("archive of {}: {}", target, gap);
      }
      while (gaps.size() > GAPS_KEPT) {
        gaps.remove(0);
      }
      problem = "";
    } catch (ActivityFailure e) {
      if (stopRequested || e.getCause() instanceof CanceledFailure) {
        return;
      }
      problem = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      enter("RETRYING");
      log.warn("archive session of {} failed, trying again: {}", target, problem);
      Workflow.await(RETRY_PAUSE, () -> stopRequested);
    }
  }

  @Override
  public void stop(String reason) {
    log.info("archiver of {} asked to stop: {}", target, reason);
    stopRequested = true;
  }

  @Override
  public ArchiverStatus status() {
    return new ArchiverStatus(
        target, state, since == null ? now() : since, sessions, last, problem, gaps);
  }

  private void enter(String next) {
    if (!next.equals(state)) {
      state = next;
      since = now();
    }
  }

  private static Instant now() {
    return Instant.ofEpochMilli(Workflow.currentTimeMillis());
  }
}
