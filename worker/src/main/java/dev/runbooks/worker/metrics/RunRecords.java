package dev.runbooks.worker.metrics;

import com.google.protobuf.Timestamp;
import dev.runbooks.workflows.failover.FailoverResult;
import dev.runbooks.workflows.failover.FailoverWorkflow;
import dev.runbooks.workflows.pitr.WalArchiverWorkflow;
import dev.runbooks.workflows.rotation.RotationRequest;
import dev.runbooks.workflows.rotation.RotationWorkflow;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowTargetOptions;
import io.temporal.common.converter.DataConverterException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What Temporal records about the targets' recoverability: whether each target's WAL archiver runs,
 * the newest completed rotation per role, and the newest completed failover or switchover with its
 * measured write outage and lost bytes. Read from the service (closed runs listed by workflow type,
 * each run's input and result read once and kept by run ID), never from this process's memory, so
 * the figures are the same after a restart and on every worker.
 */
final class RunRecords implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(RunRecords.class);

  record Rotation(String target, String role, Instant at) {}

  /**
   * @param writeOutage null for an unplanned failover
   * @param bytesLost null when unknown
   */
  record Switchover(String target, Instant at, Duration writeOutage, Long bytesLost) {}

  /** One reading of the service; archivers only for the targets asked about. */
  record Snapshot(
      Map<String, Boolean> archiverRunning,
      Map<String, Map<String, Rotation>> rotations,
      Map<String, Switchover> switchovers) {}

  private final WorkflowClient client;
  private final Supplier<Set<String>> targets;
  private final Duration ttl;
  private final ExecutorService reading;
  private final Map<String, Optional<Rotation>> rotationRuns = new ConcurrentHashMap<>();
  private final Map<String, Optional<Switchover>> switchoverRuns = new ConcurrentHashMap<>();
  private volatile Snapshot latest;
  private volatile long readAtNanos;
  private CompletableFuture<Snapshot> inFlight;

  RunRecords(WorkflowClient client, Supplier<Set<String>> targets, Duration ttl) {
    this.client = client;
    this.targets = targets;
    this.ttl = ttl;
    this.reading =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "metrics-temporal-reading");
              t.setDaemon(true);
              return t;
            });
  }

  /**
   * Starts a reading when the last one is older than the TTL; the reading to wait for, or the last
   * one while it is younger than twice the TTL (served while the new one is read, as the
   * repositories' figures are).
   */
  synchronized CompletableFuture<Snapshot> refresh() {
    long age = System.nanoTime() - readAtNanos;
    if (latest != null && age < ttl.toNanos()) {
      return CompletableFuture.completedFuture(latest);
    }
    if (inFlight == null || inFlight.isDone()) {
      inFlight = CompletableFuture.supplyAsync(this::read, reading);
    }
    if (latest != null && age < 2 * ttl.toNanos()) {
      return CompletableFuture.completedFuture(latest);
    }
    return inFlight;
  }

  /**
   * The reading, or (when it fails or takes past {@code deadlineNanos}) the last one; null if none.
   */
  Snapshot await(CompletableFuture<Snapshot> reading, long deadlineNanos) {
    try {
      return reading.get(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
    } catch (TimeoutException | ExecutionException e) {
      return latest;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return latest;
    }
  }

  private Snapshot read() {
    try {
      Map<String, Boolean> archivers = new HashMap<>();
      for (String target : targets.get()) {
        archivers.put(target, archiverRunning(target));
      }
      Map<String, Map<String, Rotation>> rotations = new HashMap<>();
      for (WorkflowExecutionInfo run : completed(RotationWorkflow.class.getSimpleName())) {
        rotationRuns
            .computeIfAbsent(run.getExecution().getRunId(), id -> rotation(run))
            .ifPresent(
                r ->
                    rotations
                        .computeIfAbsent(r.target(), t -> new HashMap<>())
                        .merge(r.role(), r, (a, b) -> a.at().isAfter(b.at()) ? a : b));
      }
      Map<String, Switchover> switchovers = new HashMap<>();
      for (WorkflowExecutionInfo run : completed(FailoverWorkflow.class.getSimpleName())) {
        switchoverRuns
            .computeIfAbsent(run.getExecution().getRunId(), id -> switchover(run))
            .ifPresent(
                s -> switchovers.merge(s.target(), s, (a, b) -> a.at().isAfter(b.at()) ? a : b));
      }
      Snapshot snapshot = new Snapshot(archivers, rotations, switchovers);
      latest = snapshot;
      readAtNanos = System.nanoTime();
      return snapshot;
    } catch (RuntimeException e) {
      log.warn("metrics: cannot read the runs from Temporal: {}", e.getMessage());
      throw e;
    }
  }

  private boolean archiverRunning(String target) {
    try {
      return client
              .newUntypedWorkflowStub(WalArchiverWorkflow.workflowId(target))
              .describe()
              .getStatus()
          == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    } catch (WorkflowNotFoundException e) {
      return false;
    }
  }

  /** The completed runs of a workflow type, every page. */
  private List<WorkflowExecutionInfo> completed(String type) {
    return ClosedRuns.list(
        client, type, Set.of(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED));
  }

  private Optional<Rotation> rotation(WorkflowExecutionInfo run) {
    try {
      Payloads input =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .getWorkflowExecutionHistory(
                  GetWorkflowExecutionHistoryRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setExecution(run.getExecution())
                      .setMaximumPageSize(1)
                      .build())
              .getHistory()
              .getEvents(0)
              .getWorkflowExecutionStartedEventAttributes()
              .getInput();
      RotationRequest request =
          client
              .getOptions()
              .getDataConverter()
              .fromPayloads(0, Optional.of(input), RotationRequest.class, RotationRequest.class);
      return Optional.of(new Rotation(request.runbook().target(), request.role(), closedAt(run)));
    } catch (DataConverterException e) {
      return unreadable(run.getExecution(), e);
    }
  }

  private Optional<Switchover> switchover(WorkflowExecutionInfo run) {
    try {
      FailoverResult result =
          client
              .newUntypedWorkflowStub(
                  WorkflowTargetOptions.newBuilder()
                      .setWorkflowExecution(run.getExecution())
                      .build())
              .getResult(FailoverResult.class);
      return Optional.of(
          new Switchover(result.target(), closedAt(run), result.writeOutage(), result.bytesLost()));
    } catch (DataConverterException e) {
      return unreadable(run.getExecution(), e);
    }
  }

  private static <T> Optional<T> unreadable(WorkflowExecution run, RuntimeException e) {
    // A payload this worker cannot decode (another version's record): kept as unreadable, since a
    // closed run's history never changes. Service errors propagate, and the run is read again.
    log.warn(
        "metrics: skipping run {} ({}): {}", run.getWorkflowId(), run.getRunId(), e.getMessage());
    return Optional.empty();
  }

  /** When the run closed: from the listing, else (the in-memory service) its close event. */
  private Instant closedAt(WorkflowExecutionInfo run) {
    Timestamp at = run.getCloseTime();
    if (at.getSeconds() == 0 && at.getNanos() == 0) {
      at = ClosedRuns.closeEvent(client, run.getExecution()).getEventTime();
    }
    return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
  }

  @Override
  public void close() {
    reading.shutdownNow();
  }
}
