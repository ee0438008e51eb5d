package dev.runbooks.worker.metrics;

import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookSearchAttributes;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.Payloads;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.common.converter.DataConverter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Each target's newest completed check run, as Temporal records it: the same for every worker that
 * asks, before and after a restart. A run that completed is a full report (a check with critical
 * findings completes too); a run that failed, was cancelled or still runs has none.
 */
final class HealthSource {
  private static final Logger log = LoggerFactory.getLogger(HealthSource.class);

  /** The check workflow's type, for a service without visibility queries. */
  static final String CHECK_WORKFLOW = "CheckWorkflow";

  /** How many closed runs a service without visibility queries reads, at most, per refresh. */
  static final int MAX_RESULTS_READ = 200;

  /** A completed check: when it ended and its report. */
  record CheckRun(String workflowId, Instant closed, CheckResult result) {
    CheckRun {
      Objects.requireNonNull(closed, "closed");
      Objects.requireNonNull(result, "result");
    }
  }

  private final WorkflowClient client;

  HealthSource(WorkflowClient client) {
    this.client = Objects.requireNonNull(client, "client");
  }

  /** The newest completed check run of each of {@code targets} that has one. */
  Map<String, CheckRun> newest(Set<String> targets) {
    try {
      Map<String, CheckRun> runs = new HashMap<>();
      for (String target : targets) {
        byQuery(target).ifPresent(run -> runs.put(target, run));
      }
      return runs;
    } catch (StatusRuntimeException e) {
      if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
        // The in-memory service has no visibility queries: walk its closed runs instead.
        return byListing(targets);
      }
      if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
        // The namespace does not know RunbookKind yet: no runbook has run on it.
        return Map.of();
      }
      throw e;
    }
  }

  private Optional<CheckRun> byQuery(String target) {
    String query =
        RunbookSearchAttributes.KIND.getName()
            + " = '"
            + RunbookKind.CHECK.label()
            + "' AND "
            + RunbookSearchAttributes.TARGET.getName()
            + " = '"
            + target.replace("\\", "\\\\").replace("'", "\\'")
            + "' AND (ExecutionStatus = 'Completed' OR ExecutionStatus = 'ContinuedAsNew')";
    // Closed runs come newest first; a few more than one guard against close-time ties.
    Optional<WorkflowExecutionMetadata> newest =
        client
            .listExecutions(query)
            .limit(10)
            .filter(m -> m.getCloseTime() != null)
            .max(Comparator.comparing(WorkflowExecutionMetadata::getCloseTime));
    return newest.flatMap(m -> read(m.getExecution()));
  }

  private Map<String, CheckRun> byListing(Set<String> targets) {
    List<WorkflowExecutionInfo> closed = new ArrayList<>();
    com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
    do {
      ListClosedWorkflowExecutionsResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setMaximumPageSize(1000)
                      .setNextPageToken(page)
                      .build());
      for (WorkflowExecutionInfo info : response.getExecutionsList()) {
        if (info.getType().getName().equals(CHECK_WORKFLOW) && ended(info.getStatus())) {
          closed.add(info);
        }
      }
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    // That service's listings carry no close time: the newest started first, and of the runs
    // read, the one whose close event is newest wins.
    closed.sort(
        Comparator.comparingLong((WorkflowExecutionInfo i) -> i.getStartTime().getSeconds())
            .thenComparingInt(i -> i.getStartTime().getNanos())
            .reversed());
    Map<String, CheckRun> runs = new HashMap<>();
    int read = 0;
    for (WorkflowExecutionInfo info : closed) {
      if (runs.size() == targets.size() || read++ >= MAX_RESULTS_READ) {
        break;
      }
      read(info.getExecution())
          .filter(run -> targets.contains(run.result().target()))
          .ifPresent(
              run ->
                  runs.merge(
                      run.result().target(),
                      run,
                      (a, b) -> a.closed().isAfter(b.closed()) ? a : b));
    }
    return runs;
  }

  private static boolean ended(WorkflowExecutionStatus status) {
    return status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED
        || status == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW;
  }

  /**
   * The report in the run's close event: its result, or for a run of a cron workflow (which ends by
   * continuing as new) the result it completed with.
   */
  private Optional<CheckRun> read(WorkflowExecution execution) {
    List<HistoryEvent> events =
        client
            .getWorkflowServiceStubs()
            .blockingStub()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(client.getOptions().getNamespace())
                    .setExecution(execution)
                    .setHistoryEventFilterType(
                        HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                    .build())
            .getHistory()
            .getEventsList();
    if (events.isEmpty()) {
      return Optional.empty();
    }
    HistoryEvent last = events.get(events.size() - 1);
    Instant closed =
        Instant.ofEpochSecond(last.getEventTime().getSeconds(), last.getEventTime().getNanos());
    Payloads payloads = null;
    if (last.hasWorkflowExecutionCompletedEventAttributes()) {
      payloads = last.getWorkflowExecutionCompletedEventAttributes().getResult();
    } else if (last.hasWorkflowExecutionContinuedAsNewEventAttributes()
        && last.getWorkflowExecutionContinuedAsNewEventAttributes().hasLastCompletionResult()) {
      payloads = last.getWorkflowExecutionContinuedAsNewEventAttributes().getLastCompletionResult();
    }
    if (payloads == null || payloads.getPayloadsCount() == 0) {
      return Optional.empty();
    }
    DataConverter converter = client.getOptions().getDataConverter();
    try {
      CheckResult result =
          converter.fromPayloads(0, Optional.of(payloads), CheckResult.class, CheckResult.class);
      return Optional.of(new CheckRun(execution.getWorkflowId(), closed, result));
    } catch (RuntimeException e) {
      log.warn(
          "metrics: cannot read the report of check run {}: {}",
          execution.getWorkflowId(),
          e.getMessage());
      return Optional.empty();
    }
  }
}
