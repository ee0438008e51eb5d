package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.shared.RunbookKind;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The runbooks' schedules in Temporal: Temporal Schedules where the server has them; where it
 * answers UNIMPLEMENTED (the in-memory service of {@code dev} and {@code demo}), cron workflows
 * named {@code schedule-<NAME>} stand in, and every answer says so.
 */
final class ScheduleService {
  /** How schedules are kept on the server this talks to. */
  enum Mode {
    SCHEDULES("Temporal Schedule"),
    CRON_WORKFLOWS("cron workflow");

    private final String label;

    Mode(String label) {
      this.label = label;
    }

    String label() {
      return label;
    }
  }

  /**
   * One schedule as {@code schedule list} shows it.
   *
   * @param nextRun null when unknown (paused, or a cron workflow whose run is going on)
   * @param note the pause note, or why it cannot be paused; may be empty
   * @param type {@code logical} or {@code physical} for backups and drills, null otherwise
   */
  record Row(
      String name,
      String runbook,
      String target,
      String cron,
      Instant nextRun,
      boolean paused,
      String note,
      Mode mode,
      String type) {}

  /** The memo's type; a backup or drill schedule without one is logical (made before types). */
  static String type(String runbook, String memoType) {
    if (memoType != null) {
      return memoType;
    }
    return RunbookKind.BACKUP.label().equals(runbook)
            || RunbookKind.RESTORE_DRILL.label().equals(runbook)
        ? PitrRuns.LOGICAL
        : null;
  }

  private final WorkflowClient client;
  private final ScheduleClient schedules;
  private final CronStandIns standIns;

  ScheduleService(TemporalConnection temporal, String identity) {
    this(temporal.client(), identity);
  }

  /** Over {@code client}'s service and namespace (a test's in-process environment, too). */
  ScheduleService(WorkflowClient client, String identity) {
    this.client = client;
    this.standIns = new CronStandIns(client, identity);
    this.schedules =
        ScheduleClient.newInstance(
            client.getWorkflowServiceStubs(),
            ScheduleClientOptions.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setIdentity(identity)
                .build());
  }

  /**
   * Creates the schedule.
   *
   * @return how it is kept: a Temporal Schedule, or a cron workflow where there are none
   * @throws UsageException when a schedule of that name exists, or Temporal refuses the spec
   */
  Mode create(RunbookSchedule schedule, String taskQueue) {
    try {
      schedules.createSchedule(schedule.name(), schedule.schedule(taskQueue), schedule.options());
      return Mode.SCHEDULES;
    } catch (ScheduleAlreadyRunningException e) {
      throw exists(schedule.name());
    } catch (RuntimeException e) {
      if (has(e, Status.Code.UNIMPLEMENTED)) {
        createCronWorkflow(schedule, taskQueue);
        return Mode.CRON_WORKFLOWS;
      }
      if (has(e, Status.Code.ALREADY_EXISTS)) {
        throw exists(schedule.name());
      }
      if (has(e, Status.Code.INVALID_ARGUMENT)) {
        throw new UsageException(
            "Temporal refused schedule "
                + schedule.name()
                + ": "
                + RunState.rootMessage(e)
                + ". Check --cron, --jitter and --catchup-window.");
      }
      throw e;
    }
  }

  private void createCronWorkflow(RunbookSchedule schedule, String taskQueue) {
    WorkflowStub stub =
        client.newUntypedWorkflowStub(
            schedule.launch().workflowType(), schedule.cronWorkflowOptions(taskQueue));
    try {
      stub.start(schedule.launch().request());
    } catch (WorkflowExecutionAlreadyStarted e) {
      throw exists(schedule.name());
    } catch (RuntimeException e) {
      if (has(e, Status.Code.INVALID_ARGUMENT)) {
        throw new UsageException(
            "Temporal refused the cron workflow "
                + schedule.cronWorkflowId()
                + ": "
                + RunState.rootMessage(e)
                + ". Check --cron.");
      }
      throw e;
    }
  }

  /** Every runbook schedule, by name; and the mode they are kept in. */
  List<Row> list() {
    List<Row> rows = new ArrayList<>();
    try {
      schedules.listSchedules().forEach(d -> rows.add(row(d)));
      rows.removeIf(r -> r.runbook() == null);
    } catch (RuntimeException e) {
      if (!has(e, Status.Code.UNIMPLEMENTED)) {
        throw e;
      }
      rows.clear();
      rows.addAll(standIns.list());
    }
    rows.sort(Comparator.comparing(Row::name));
    return rows;
  }

  /**
   * Pauses a schedule with a note; where schedules are cron workflows, holds the cron workflow back
   * (see {@link CronStandIns}).
   *
   * @throws UsageException when there is no such schedule, or its cron workflow's run is going on
   */
  void pause(String name, String note) {
    ScheduleHandle handle = existing(name);
    if (handle == null) {
      standIns.pause(name, note);
    } else {
      handle.pause(note);
    }
  }

  void unpause(String name, String note) {
    ScheduleHandle handle = existing(name);
    if (handle == null) {
      standIns.unpause(name);
    } else {
      handle.unpause(note);
    }
  }

  /**
   * Deletes a schedule; runs it started go on. A cron workflow standing in for one is terminated.
   *
   * @return how it was kept
   */
  Mode delete(String name, String reason) {
    try {
      schedules.getHandle(name).delete();
      return Mode.SCHEDULES;
    } catch (RuntimeException e) {
      if (has(e, Status.Code.NOT_FOUND)) {
        throw noSuch(name);
      }
      if (!has(e, Status.Code.UNIMPLEMENTED)) {
        throw e;
      }
    }
    String id = RunbookSchedule.CRON_WORKFLOW_PREFIX + name;
    WorkflowStub stub = client.newUntypedWorkflowStub(id);
    try {
      if (!RunState.label(stub.describe().getStatus()).equals("RUNNING")) {
        throw noSuch(name);
      }
      stub.terminate(reason);
    } catch (WorkflowNotFoundException e) {
      throw noSuch(name);
    }
    return Mode.CRON_WORKFLOWS;
  }

  /**
   * The schedule's handle once it is known to exist, null where this Temporal has no Schedules, or
   * the CLI's words for why not.
   */
  private ScheduleHandle existing(String name) {
    ScheduleHandle handle = schedules.getHandle(name);
    try {
      // describe() answers NOT_FOUND or UNIMPLEMENTED before anything is changed.
      handle.describe();
      return handle;
    } catch (RuntimeException e) {
      if (has(e, Status.Code.NOT_FOUND)) {
        throw noSuch(name);
      }
      if (has(e, Status.Code.UNIMPLEMENTED)) {
        return null;
      }
      throw e;
    }
  }

  static Row row(ScheduleListDescription d) {
    String runbook = memo(d, RunbookSchedule.MEMO_RUNBOOK);
    List<Instant> next = d.getInfo() == null ? List.of() : d.getInfo().getNextActionTimes();
    boolean paused =
        d.getSchedule() != null
            && d.getSchedule().getState() != null
            && d.getSchedule().getState().isPaused();
    String note =
        d.getSchedule() == null || d.getSchedule().getState() == null
            ? ""
            : nullToEmpty(d.getSchedule().getState().getNote());
    return new Row(
        d.getScheduleId(),
        runbook,
        memo(d, RunbookSchedule.MEMO_TARGET),
        memo(d, RunbookSchedule.MEMO_CRON),
        paused || next.isEmpty() ? null : next.get(0),
        paused,
        note,
        Mode.SCHEDULES,
        type(runbook, memo(d, RunbookSchedule.MEMO_TYPE)));
  }

  private static String memo(ScheduleListDescription d, String key) {
    try {
      Object value = d.getMemo(key, String.class);
      return value == null ? null : value.toString();
    } catch (RuntimeException e) {
      // A schedule someone else made, with a memo of another shape: not one of ours.
      return null;
    }
  }

  private static UsageException exists(String name) {
    return new UsageException(
        "a schedule named "
            + name
            + " exists already: see 'runbook schedule list', delete it first with 'runbook"
            + " schedule delete "
            + name
            + "', or pick another name.");
  }

  static UsageException noSuch(String name) {
    return new UsageException(
        "no schedule named " + name + ": 'runbook schedule list' shows the schedules there are.");
  }

  /** Whether a gRPC status of this code is in the cause chain. */
  static boolean has(Throwable e, Status.Code code) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof StatusRuntimeException s && s.getStatus().getCode() == code) {
        return true;
      }
    }
    return false;
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
