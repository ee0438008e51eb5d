package dev.runbooks.worker.metrics;

import com.google.protobuf.ByteString;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import dev.runbooks.workflows.shared.Step;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.grpc.Deadline;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowQueryException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowTargetOptions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open runs as Temporal has them: which targets' locks are held, and which runs wait for
 * approval since when. Read from the service (the open executions, then each one's {@code holder}
 * or {@code progress} query), never from this worker's memory, so every worker reports the same and
 * a restart changes nothing. Kept for a short time so a scrape is fast, and never waited for longer
 * than the scrape's budget: a listing that fails or is late keeps the last figures and says so.
 */
final class OpenRuns implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OpenRuns.class);
  private static final String LOCK_PREFIX = TargetLockWorkflow.workflowId("");

  /** A run waiting at an approval gate since {@code since}. */
  record Waiting(String workflowId, String target, Instant since) {}

  /**
   * What the latest listing found.
   *
   * @param locked the targets whose lock a run holds
   * @param targets every target an open run or lock names
   * @param error why the latest listing is incomplete; null when it is not
   */
  record Snapshot(
      Set<String> locked, Set<String> targets, List<Waiting> waiting, String error, long readAt) {
    static final Snapshot NONE = new Snapshot(Set.of(), Set.of(), List.of(), null, 0);

    Snapshot failed(String why) {
      return new Snapshot(locked, targets, waiting, why, readAt);
    }
  }

  private final WorkflowClient client;
  private final Duration ttl;
  private final Duration budget;
  private final LongSupplier nanoTime;
  private final ExecutorService executor;

  /** Workflow types whose progress query failed: no runbook (the WAL archiver), not asked again. */
  private final Set<String> notRunbooks = ConcurrentHashMap.newKeySet();

  private Snapshot latest = Snapshot.NONE;
  private CompletableFuture<Snapshot> reading;

  OpenRuns(WorkflowClient client, Duration ttl, Duration budget, LongSupplier nanoTime) {
    this.client = client;
    this.ttl = ttl;
    this.budget = budget;
    this.nanoTime = nanoTime;
    this.executor =
        Executors.newFixedThreadPool(
            4,
            r -> {
              Thread t = new Thread(r, "metrics-open-runs");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts reading the open runs when the latest listing is older than the TTL, without waiting: a
   * scrape reads Temporal while it lists the repositories.
   */
  synchronized void refresh() {
    long now = nanoTime.getAsLong();
    if (!fresh(now) && reading == null) {
      long deadline = now + budget.toNanos();
      reading = CompletableFuture.supplyAsync(() -> read(deadline), executor);
    }
  }

  private boolean fresh(long now) {
    return latest != Snapshot.NONE
        && latest.error() == null
        && now - latest.readAt() < ttl.toNanos();
  }

  /** The latest listing, read again when older than the TTL, waiting at most the budget. */
  synchronized Snapshot current() {
    long now = nanoTime.getAsLong();
    if (fresh(now)) {
      return latest;
    }
    refresh();
    // Younger than twice the TTL: served while it is read again, as the repositories' figures are.
    if (latest != Snapshot.NONE
        && latest.error() == null
        && now - latest.readAt() < 2 * ttl.toNanos()
        && !reading.isDone()) {
      return latest;
    }
    try {
      latest = reading.get(budget.toNanos(), TimeUnit.NANOSECONDS);
      reading = null;
    } catch (TimeoutException e) {
      latest = latest.failed("listing the open runs took longer than " + budget.toMillis() + " ms");
    } catch (ExecutionException e) {
      reading = null;
      log.warn("metrics: cannot list the open runs: {}", e.getCause().getMessage());
      latest = latest.failed(String.valueOf(e.getCause().getMessage()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return latest;
  }

  private Snapshot read(long deadline) {
    Map<WorkflowExecutionInfo, CompletableFuture<Object>> asked = new LinkedHashMap<>();
    for (WorkflowExecutionInfo run : listOpen(deadline)) {
      String id = run.getExecution().getWorkflowId();
      String type = run.getType().getName();
      if (id.startsWith(LOCK_PREFIX)) {
        asked.put(run, ask(run, "holder", LockHolder.class));
      } else if (!notRunbooks.contains(type)) {
        asked.put(run, ask(run, RunbookWorkflow.PROGRESS, RunbookProgress.class));
      }
    }
    Set<String> locked = new TreeSet<>();
    Set<String> targets = new TreeSet<>();
    List<Waiting> waiting = new ArrayList<>();
    int unanswered = 0;
    for (Map.Entry<WorkflowExecutionInfo, CompletableFuture<Object>> a : asked.entrySet()) {
      Object answer;
      try {
        answer =
            a.getValue().get(Math.max(0, deadline - nanoTime.getAsLong()), TimeUnit.NANOSECONDS);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof WorkflowQueryException) {
          notRunbooks.add(a.getKey().getType().getName());
        } else {
          unanswered++;
        }
        continue;
      } catch (TimeoutException | InterruptedException e) {
        unanswered++;
        continue;
      }
      if (answer instanceof LockHolder holder) {
        locked.add(holder.target());
        targets.add(holder.target());
      } else if (answer instanceof RunbookProgress progress && !progress.target().isEmpty()) {
        targets.add(progress.target());
        Instant since = waitingSince(progress);
        if (since != null) {
          waiting.add(
              new Waiting(a.getKey().getExecution().getWorkflowId(), progress.target(), since));
        }
      }
    }
    return new Snapshot(
        locked,
        targets,
        waiting,
        unanswered == 0 ? null : unanswered + " open runs did not answer their query in time",
        nanoTime.getAsLong());
  }

  private List<WorkflowExecutionInfo> listOpen(long deadline) {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString page = ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .withDeadline(Deadline.after(deadline - nanoTime.getAsLong(), TimeUnit.NANOSECONDS))
              .listOpenWorkflowExecutions(
                  ListOpenWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setMaximumPageSize(1000)
                      .setNextPageToken(page)
                      .build());
      runs.addAll(response.getExecutionsList());
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return runs;
  }

  private CompletableFuture<Object> ask(WorkflowExecutionInfo run, String query, Class<?> type) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            WorkflowTargetOptions.newBuilder().setWorkflowExecution(run.getExecution()).build(),
            Optional.of(run.getType().getName()));
    return CompletableFuture.supplyAsync(() -> stub.query(query, type), executor);
  }

  /** When the step awaiting approval began waiting; null when nothing waits. */
  private static Instant waitingSince(RunbookProgress progress) {
    if (progress.awaitingApproval() == null) {
      return null;
    }
    for (Step step : progress.steps()) {
      if (step.name().equals(progress.awaitingApproval())) {
        return step.start();
      }
    }
    return null;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
