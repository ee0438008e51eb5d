package dev.runbooks.cli;

import dev.runbooks.workflows.shared.RunbookKind;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleState;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A runbook that runs on a cron schedule, and how it becomes a Temporal Schedule (or, where the
 * server has no Schedules, a cron workflow). Building is pure: nothing here talks to Temporal.
 *
 * @param name the schedule's ID in Temporal
 * @param cron five fields, minute hour day-of-month month day-of-week, in UTC
 * @param jitter each run starts up to this much later, at random; zero for none
 * @param catchupWindow a run missed while Temporal was down still starts if Temporal is back within
 *     this
 * @param launch the run each firing starts: the same request and options as a start by hand
 * @param type {@code logical} or {@code physical} for backups and restore drills; null for a
 *     rotation
 */
record RunbookSchedule(
    String name,
    RunbookKind kind,
    String target,
    String cron,
    Duration jitter,
    Duration catchupWindow,
    String createdBy,
    RunbookStarter.Launch launch,
    String type) {

  /** What {@code schedule create} may schedule. */
  static final List<RunbookKind> SCHEDULABLE =
      List.of(RunbookKind.BACKUP, RunbookKind.RESTORE_DRILL, RunbookKind.ROTATE, RunbookKind.CHECK);

  static final Duration DEFAULT_CATCHUP_WINDOW = Duration.ofHours(1);

  /**
   * Cron workflows standing in for schedules are named so that {@code schedule list} finds them.
   */
  static final String CRON_WORKFLOW_PREFIX = "schedule-";

  /** The memo keys {@code schedule list} reads back. */
  static final String MEMO_RUNBOOK = "runbook";

  static final String MEMO_TARGET = "target";
  static final String MEMO_CRON = "cron";
  static final String MEMO_CREATED_BY = "createdBy";

  /** Only for physical runbooks: a schedule without it, made before it existed, is logical. */
  static final String MEMO_TYPE = "type";

  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern CRON_FIELD = Pattern.compile("[0-9A-Za-z*/,?-]+");

  /** Cron's named schedules, as the five fields they stand for. */
  private static final Map<String, String> DESCRIPTORS = descriptors();

  private static Map<String, String> descriptors() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("@hourly", "0 * * * *");
    d.put("@daily", "0 0 * * *");
    d.put("@midnight", "0 0 * * *");
    d.put("@weekly", "0 0 * * 0");
    d.put("@monthly", "0 0 1 * *");
    d.put("@yearly", "0 0 1 1 *");
    d.put("@annually", "0 0 1 1 *");
    return java.util.Collections.unmodifiableMap(d);
  }

  RunbookSchedule {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(cron, "cron");
    Objects.requireNonNull(jitter, "jitter");
    Objects.requireNonNull(catchupWindow, "catchupWindow");
    Objects.requireNonNull(createdBy, "createdBy");
    Objects.requireNonNull(launch, "launch");
  }

  /** The initiator scheduled runs carry, so the Temporal UI says which schedule started a run. */
  static String initiator(String name) {
    return "schedule:" + name;
  }

  /**
   * The workflow ID prefix of the runs: {@code <kind>-<target>}; Temporal appends the scheduled
   * time.
   */
  String workflowIdPrefix() {
    return kind.label() + "-" + target;
  }

  /** The ID of the cron workflow that stands in when the server has no Schedules. */
  String cronWorkflowId() {
    return CRON_WORKFLOW_PREFIX + name;
  }

  /**
   * The Temporal Schedule: the cron spec with its jitter, overlap SKIP (a run still going when the
   * next is due makes that one skip, so two backups of a target never run at once), the catch-up
   * window, and the action that starts the runbook with the options a start by hand has.
   */
  Schedule schedule(String taskQueue) {
    WorkflowOptions options =
        RunbookStarter.options(launch.plan(), workflowIdPrefix(), taskQueue).build();
    return Schedule.newBuilder()
        .setAction(
            ScheduleActionStartWorkflow.newBuilder()
                .setWorkflowType(launch.workflowType())
                .setOptions(options)
                .setArguments(launch.request())
                .build())
        .setSpec(
            ScheduleSpec.newBuilder().setCronExpressions(List.of(cron)).setJitter(jitter).build())
        .setPolicy(
            SchedulePolicy.newBuilder()
                .setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP)
                .setCatchupWindow(catchupWindow)
                .build())
        .setState(ScheduleState.newBuilder().setNote("created by " + createdBy).build())
        .build();
  }

  /** The schedule's memo: what {@code schedule list} shows, as it was given. */
  ScheduleOptions options() {
    return ScheduleOptions.newBuilder().setMemo(memo()).build();
  }

  /**
   * The cron workflow standing in for the schedule: the runbook's own workflow with a cron
   * schedule. It cannot jitter, and has no catch-up window; a run still going when the next is due
   * makes that one skip, as overlap SKIP does.
   */
  WorkflowOptions cronWorkflowOptions(String taskQueue) {
    return RunbookStarter.options(launch.plan(), cronWorkflowId(), taskQueue)
        .setCronSchedule(cron)
        .setMemo(memo())
        .build();
  }

  Map<String, Object> memo() {
    Map<String, Object> memo = new LinkedHashMap<>();
    memo.put(MEMO_RUNBOOK, kind.label());
    memo.put(MEMO_TARGET, target);
    memo.put(MEMO_CRON, cron);
    memo.put(MEMO_CREATED_BY, createdBy);
    if (PitrRuns.PHYSICAL.equals(type)) {
      memo.put(MEMO_TYPE, type);
    }
    return memo;
  }

  /** A schedule name Temporal and the cron workflow ID both accept. */
  static String checkName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new UsageException(
          "\""
              + name
              + "\" is not a schedule name: use letters, digits, '.', '_' and '-', starting with a"
              + " letter or digit, such as nightly-orders.");
    }
    return name;
  }

  /**
   * The cron expression as five fields, when it has the shape Temporal reads; the descriptors
   * {@code @hourly}, {@code @daily} and so on become their five fields, which cron workflows read
   * too. Temporal checks the values themselves.
   */
  static String checkCron(String cron) {
    String c = cron.strip().replaceAll("\\s+", " ");
    String descriptor = DESCRIPTORS.get(c.toLowerCase(Locale.ROOT));
    if (descriptor != null) {
      return descriptor;
    }
    String[] fields = c.split(" ");
    boolean fiveFields = fields.length == 5;
    if (fiveFields) {
      for (String field : fields) {
        fiveFields &= CRON_FIELD.matcher(field).matches();
      }
    }
    if (!fiveFields) {
      throw new UsageException(
          "--cron \""
              + cron
              + "\" is not a cron expression: give five fields, minute hour day-of-month month"
              + " day-of-week, in UTC, such as \"0 2 * * *\" (02:00 every day), or one of "
              + String.join(", ", DESCRIPTORS.keySet())
              + ".");
    }
    CronFields.check(cron, fields);
    return c;
  }
}
