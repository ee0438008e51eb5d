package dev.runbooks.cli;

import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Who did what to a run, read from its Temporal history: the identity on each start, update,
 * signal, cancellation and termination request, and how the run ended.
 */
final class AuditTrail {
  /**
   * One line of the trail.
   *
   * @param action started, approved, abort requested, signalled NAME, terminated, ended
   * @param by the identity of the request, "-" for the run's own end
   * @param detail the outcome for an end, the reason for an abort or termination, else empty
   * @param changed for an end, what the run changed when its result or rollback says it ({@link
   *     RunChanges}), else empty
   */
  record Event(
      Instant at,
      String workflowId,
      String kind,
      String target,
      String action,
      String by,
      String detail,
      String changed) {}

  private AuditTrail() {}

  static List<Event> of(WorkflowClient client, ListCommand.Row run) {
    List<Event> events = new ArrayList<>();
    HistoryEvent close = null;
    for (HistoryEvent event : client.fetchHistory(run.workflowId(), run.runId()).getEvents()) {
      if (event.hasWorkflowExecutionCompletedEventAttributes()
          || event.hasWorkflowExecutionFailedEventAttributes()) {
        close = event;
      }
      Instant at =
          Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos());
      String[] line = line(event);
      if (line != null) {
        events.add(
            new Event(
                at, run.workflowId(), run.kind(), run.target(), line[0], line[1], line[2], ""));
      }
    }
    if (!run.status().equals("RUNNING")) {
      events.add(
          new Event(
              run.closed() != null ? run.closed() : events.get(events.size() - 1).at(),
              run.workflowId(),
              run.kind(),
              run.target(),
              "ended",
              "-",
              run.outcome(),
              RunChanges.of(close, run.kind(), client.getOptions().getDataConverter())));
    }
    return events;
  }

  /** Action, identity and detail of a request event; null for the workflow's own events. */
  private static String[] line(HistoryEvent event) {
    switch (event.getEventType()) {
      case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
        return new String[] {
          "started", who(event.getWorkflowExecutionStartedEventAttributes().getIdentity()), ""
        };
      case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED:
        var update = event.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest();
        String name = update.getInput().getName();
        return new String[] {
          name.equals("approve") ? "approved" : "update " + name,
          who(update.getMeta().getIdentity()),
          ""
        };
      case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
        var signal = event.getWorkflowExecutionSignaledEventAttributes();
        return new String[] {"signalled " + signal.getSignalName(), who(signal.getIdentity()), ""};
      case EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
        var cancel = event.getWorkflowExecutionCancelRequestedEventAttributes();
        return new String[] {"abort requested", who(cancel.getIdentity()), cancel.getCause()};
      case EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
        var terminated = event.getWorkflowExecutionTerminatedEventAttributes();
        return new String[] {"terminated", who(terminated.getIdentity()), terminated.getReason()};
      default:
        return null;
    }
  }

  private static String who(String identity) {
    return identity == null || identity.isBlank() ? "unknown" : identity;
  }
}
