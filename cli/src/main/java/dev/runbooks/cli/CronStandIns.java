package dev.runbooks.cli;

import io.temporal.api.common.v1.Memo;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.history.v1.WorkflowExecutionStartedEventAttributes;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsResponse;
import io.temporal.api.workflowservice.v1.StartWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.common.converter.DataConverter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Cron workflows named {@code schedule-<NAME>} standing in for schedules where the server has none
 * (the in-memory service of {@code dev} and {@code demo}).
 *
 * <p>A cron workflow has no pause, and its cron and memo are fixed for its life, so pausing starts
 * it again in place (same ID, type, input, search attributes) without its cron and with a start
 * delay of a century: its next run never comes, nothing runs, and the memo carries the pause note.
 * Unpausing starts it again with the cron from its memo. Neither touches a run that is going on:
 * while one is, both are refused.
 */
final class CronStandIns {
  /** The memo key of a paused stand-in: the pause note. */
  static final String MEMO_PAUSED = "paused";

  /** How long a paused stand-in's first run waits: until it is unpaused, in practice. */
  static final Duration PAUSED_DELAY = Duration.ofDays(36_500);

  private final WorkflowClient client;
  private final String identity;
  private final DataConverter converter;

  CronStandIns(WorkflowClient client, String identity) {
    this.client = client;
    this.identity = identity;
    this.converter = client.getOptions().getDataConverter();
  }

  /** The open workflows named {@code schedule-*}, as schedules. */
  List<ScheduleService.Row> list() {
    List<ScheduleService.Row> rows = new ArrayList<>();
    com.google.protobuf.ByteString page = com.google.protobuf.ByteString.EMPTY;
    do {
      ListOpenWorkflowExecutionsResponse response =
          client
              .getWorkflowServiceStubs()
              .blockingStub()
              .listOpenWorkflowExecutions(
                  ListOpenWorkflowExecutionsRequest.newBuilder()
                      .setNamespace(client.getOptions().getNamespace())
                      .setMaximumPageSize(1000)
                      .setNextPageToken(page)
                      .build());
      for (WorkflowExecutionInfo info : response.getExecutionsList()) {
        String id = info.getExecution().getWorkflowId();
        if (id.startsWith(RunbookSchedule.CRON_WORKFLOW_PREFIX)) {
          rows.add(row(id));
        }
      }
      page = response.getNextPageToken();
    } while (!page.isEmpty());
    return rows;
  }

  /**
   * A stand-in as a schedule, from its current run's start event: list results do not carry the
   * cron or the memo on every server, the start event does.
   */
  private ScheduleService.Row row(String id) {
    HistoryEvent first = client.fetchHistory(id).getEvents().get(0);
    WorkflowExecutionStartedEventAttributes started =
        first.getWorkflowExecutionStartedEventAttributes();
    Map<String, Payload> memo = started.getMemo().getFieldsMap();
    String name = id.substring(RunbookSchedule.CRON_WORKFLOW_PREFIX.length());
    String pausedNote = memo(memo, MEMO_PAUSED);
    String runbook = memo(memo, RunbookSchedule.MEMO_RUNBOOK);
    String type = ScheduleService.type(runbook, memo(memo, RunbookSchedule.MEMO_TYPE));
    if (pausedNote != null) {
      return new ScheduleService.Row(
          name,
          runbook,
          memo(memo, RunbookSchedule.MEMO_TARGET),
          cron(started),
          null,
          true,
          pausedNote,
          ScheduleService.Mode.CRON_WORKFLOWS,
          type);
    }
    Instant next =
        Instant.ofEpochSecond(first.getEventTime().getSeconds(), first.getEventTime().getNanos())
            .plus(
                Duration.ofSeconds(
                    started.getFirstWorkflowTaskBackoff().getSeconds(),
                    started.getFirstWorkflowTaskBackoff().getNanos()));
    // The server counts the backoff from when it took the start request, the event's time is a
    // little later (over a second on a busy machine): a five-field cron fires on whole minutes.
    next = Instant.ofEpochSecond(Math.round(next.toEpochMilli() / 60_000.0) * 60);
    boolean waiting = next.isAfter(Instant.now());
    return new ScheduleService.Row(
        name,
        runbook,
        memo(memo, RunbookSchedule.MEMO_TARGET),
        cron(started),
        waiting ? next : null,
        false,
        waiting ? "" : "running now",
        ScheduleService.Mode.CRON_WORKFLOWS,
        type);
  }

  /** Holds the stand-in back from its next run until {@link #unpause}; the note says why. */
  void pause(String name, String note) {
    restart(name, note);
  }

  /** Lets the stand-in run at its cron times again; nothing to do when it is not paused. */
  void unpause(String name) {
    restart(name, null);
  }

  private void restart(String name, String pausedNote) {
    String id = RunbookSchedule.CRON_WORKFLOW_PREFIX + name;
    WorkflowExecutionHistory history;
    try {
      if (!RunState.label(client.newUntypedWorkflowStub(id).describe().getStatus())
          .equals("RUNNING")) {
        throw ScheduleService.noSuch(name);
      }
      history = client.fetchHistory(id);
    } catch (WorkflowNotFoundException e) {
      throw ScheduleService.noSuch(name);
    }
    HistoryEvent first = history.getEvents().get(0);
    WorkflowExecutionStartedEventAttributes started =
        first.getWorkflowExecutionStartedEventAttributes();
    Map<String, Payload> memo = new LinkedHashMap<>(started.getMemo().getFieldsMap());
    boolean paused = memo.remove(MEMO_PAUSED) != null;
    if (pausedNote == null && !paused) {
      return;
    }
    if (history.getEvents().size() > 1) {
      // Its run started: starting the stand-in again would end that run half-way.
      throw new UsageException(
          "schedule "
              + name
              + " is running its runbook now (workflow "
              + id
              + "): this Temporal has no Schedules, and its cron workflow can be paused or"
              + " unpaused only between runs. Wait until the run ends ('runbook watch "
              + id
              + "') and try again.");
    }
    StartWorkflowExecutionRequest.Builder start =
        StartWorkflowExecutionRequest.newBuilder()
            .setNamespace(client.getOptions().getNamespace())
            .setWorkflowId(id)
            .setWorkflowType(started.getWorkflowType())
            .setTaskQueue(started.getTaskQueue())
            .setInput(started.getInput())
            .setWorkflowExecutionTimeout(started.getWorkflowExecutionTimeout())
            .setWorkflowRunTimeout(started.getWorkflowRunTimeout())
            .setWorkflowTaskTimeout(started.getWorkflowTaskTimeout())
            .setSearchAttributes(started.getSearchAttributes())
            .setHeader(started.getHeader())
            .setIdentity(identity)
            .setRequestId(UUID.randomUUID().toString())
            .setWorkflowIdReusePolicy(
                WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
            // In one call: the waiting run ends and its replacement starts, or neither.
            .setWorkflowIdConflictPolicy(
                WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING);
    if (first.hasUserMetadata()) {
      start.setUserMetadata(first.getUserMetadata());
    }
    if (pausedNote != null) {
      memo.put(MEMO_PAUSED, converter.toPayload(pausedNote).orElseThrow());
      start.setWorkflowStartDelay(
          com.google.protobuf.Duration.newBuilder().setSeconds(PAUSED_DELAY.toSeconds()));
    } else {
      start.setCronSchedule(cron(started));
    }
    start.setMemo(Memo.newBuilder().putAllFields(memo));
    client.getWorkflowServiceStubs().blockingStub().startWorkflowExecution(start.build());
  }

  /** The cron the stand-in runs on: its own, or, while paused, the one its memo keeps. */
  private String cron(WorkflowExecutionStartedEventAttributes started) {
    if (!started.getCronSchedule().isEmpty()) {
      return started.getCronSchedule();
    }
    return memo(started.getMemo().getFieldsMap(), RunbookSchedule.MEMO_CRON);
  }

  private String memo(Map<String, Payload> memo, String key) {
    Payload payload = memo.get(key);
    if (payload == null) {
      return null;
    }
    try {
      return converter.fromPayload(payload, String.class, String.class);
    } catch (RuntimeException e) {
      return null;
    }
  }
}
