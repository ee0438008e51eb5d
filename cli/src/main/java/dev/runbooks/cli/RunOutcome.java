package dev.runbooks.cli;

import dev.runbooks.workflows.check.CheckResult;
import dev.runbooks.workflows.check.Severity;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookKind;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.HistoryEventFilterType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.GetWorkflowExecutionHistoryRequest;
import io.temporal.common.converter.DataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * How a closed run ended, read from its close event alone: no worker has to replay it, so {@code
 * list} shows outcomes while no worker runs. A run that completed SUCCEEDED unless it is a check
 * with a critical finding; a failed one ROLLED_BACK when its failure says it rolled back steps (the
 * wording {@code Compensated.detail()} gives), ABORTED when its approval timed out.
 *
 * @param outcome SUCCEEDED, FAILED, ROLLED_BACK, ABORTED, or Temporal's TERMINATED / TIMED_OUT
 */
record RunOutcome(String outcome, Instant closed) {
  private static final Pattern ROLLED_BACK = Pattern.compile("; rolled back \\d+ steps?$");

  static RunOutcome of(
      WorkflowServiceStubs service,
      String namespace,
      DataConverter converter,
      WorkflowExecution execution,
      String kind) {
    List<HistoryEvent> events =
        service
            .blockingStub()
            .getWorkflowExecutionHistory(
                GetWorkflowExecutionHistoryRequest.newBuilder()
                    .setNamespace(namespace)
                    .setExecution(execution)
                    .setHistoryEventFilterType(
                        HistoryEventFilterType.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT)
                    .build())
            .getHistory()
            .getEventsList();
    if (events.isEmpty()) {
      return null;
    }
    HistoryEvent close = events.get(events.size() - 1);
    Instant closed =
        Instant.ofEpochSecond(close.getEventTime().getSeconds(), close.getEventTime().getNanos());
    return new RunOutcome(outcome(close, converter, kind), closed);
  }

  private static String outcome(HistoryEvent close, DataConverter converter, String kind) {
    if (close.hasWorkflowExecutionCanceledEventAttributes()) {
      return Outcome.ABORTED.name();
    }
    if (close.hasWorkflowExecutionTerminatedEventAttributes()) {
      return "TERMINATED";
    }
    if (close.hasWorkflowExecutionTimedOutEventAttributes()) {
      return "TIMED_OUT";
    }
    if (close.hasWorkflowExecutionContinuedAsNewEventAttributes()) {
      return "CONTINUED_AS_NEW";
    }
    if (close.hasWorkflowExecutionFailedEventAttributes()) {
      var failure = close.getWorkflowExecutionFailedEventAttributes().getFailure();
      if (failure
          .getApplicationFailureInfo()
          .getType()
          .equals(FailureType.APPROVAL_TIMEOUT.name())) {
        return Outcome.ABORTED.name();
      }
      return ROLLED_BACK.matcher(failure.getMessage()).find()
          ? Outcome.ROLLED_BACK.name()
          : Outcome.FAILED.name();
    }
    if (RunbookKind.CHECK.label().equals(kind)
        && close.hasWorkflowExecutionCompletedEventAttributes()) {
      var result = close.getWorkflowExecutionCompletedEventAttributes().getResult();
      try {
        CheckResult check =
            converter.fromPayloads(0, Optional.of(result), CheckResult.class, CheckResult.class);
        if (check != null && check.worst() == Severity.CRITICAL) {
          return Outcome.FAILED.name();
        }
      } catch (RuntimeException e) {
        // Not a check's result after all: completed is all that is known.
      }
    }
    return Outcome.SUCCEEDED.name();
  }
}
