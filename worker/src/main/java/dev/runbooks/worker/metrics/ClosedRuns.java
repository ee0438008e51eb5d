package dev.runbooks.worker.metrics;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.filter.v1.WorkflowTypeFilter;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Closed runs as the service records them, read the way every Temporal answers, in-memory too. */
final class ClosedRuns {
  private static final int PAGE = 1000;
  private static final int MAX_PAGES = 100;

  private ClosedRuns() {}

  /** The closed runs of a workflow type that ended with one of {@code statuses}, every page. */
  static List<WorkflowExecutionInfo> list(
      WorkflowClient client, String type, Set<WorkflowExecutionStatus> statuses) {
    List<WorkflowExecutionInfo> runs = new ArrayList<>();
    ByteString token = ByteString.EMPTY;
    for (int page = 0; page < MAX_PAGES; page++) {
      ListClosedWorkflowExecutionsResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listClosedWorkflowExecutions(
                  ListClosedWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setTypeFilter(WorkflowTypeFilter.newBuilder().setName(type))
                      .setMaximumPageSize(PAGE)
                      .setNextPageToken(token)
                      .build());
      for (WorkflowExecutionInfo run : response.getExecutionsList()) {
        // The in-memory service ignores the type filter.
        if (run.getType().getName().equals(type) && statuses.contains(run.getStatus())) {
          runs.add(run);
        }
      }
      token = response.getNextPageToken();
      if (token.isEmpty()) {
        break;
      }
    }
    return runs;
  }

  /** The event that closed {@code execution}: its result, or what it continued as new with. */
  static HistoryEvent closeEvent(WorkflowClient client, WorkflowExecution execution) {
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
      throw new IllegalStateException(
          "run " + execution.getWorkflowId() + " (" + execution.getRunId() + ") has not closed");
    }
    return events.get(events.size() - 1);
  }

  static Instant instant(Timestamp at) {
    return Instant.ofEpochSecond(at.getSeconds(), at.getNanos());
  }
}
