package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.TemporalConnection;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.RunbookKind;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code runbook schedule create}: a schedule, or the cron workflow standing in for one. */
@Command(
    name = "create",
    mixinStandardHelpOptions = true,
    description = {
      "Creates a schedule that starts a runbook on a cron expression (UTC). Each run gets the"
          + " workflow ID <runbook>-<target>-<scheduled time> and the same request, search"
          + " attributes and plan as a start by hand."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook schedule create nightly-orders --runbook backup --target orders \\",
      "      --cron \"0 2 * * *\" --jitter PT5M",
      "  runbook schedule create weekly-drill --runbook restore-drill --target orders \\",
      "      --cron \"0 6 * * 1\"  # Mondays at 06:00 UTC",
      "  runbook schedule create pitr-drill --runbook restore-drill --type physical \\",
      "      --target orders --cron \"30 3 * * *\"  # the PITR drill, nightly",
      "  runbook schedule create monthly-app --runbook rotate --target orders \\",
      "      --role orders_app --cron \"0 3 1 * *\"  # every month",
      "  runbook schedule create orders-health --runbook check --target orders \\",
      "      --cron \"*/5 * * * *\"  # keeps the health metrics current"
    })
final class ScheduleCreateCommand extends ScheduleCommand.Subcommand {
  @Parameters(paramLabel = "NAME", description = "The schedule's name, e.g. nightly-orders.")
  String name;

  @Option(
      names = "--runbook",
      required = true,
      paramLabel = "backup|restore-drill|rotate|check",
      description = "The runbook to run.")
  String runbook;

  @Mixin TargetOption target;

  @Option(
      names = "--type",
      paramLabel = "logical|physical",
      description =
          "For --runbook backup and restore-drill: logical (default, pg_dump) or physical (a base"
              + " backup for point-in-time recovery; the PITR drill, which restores the newest base"
              + " backup + WAL to a fresh restore point).")
  String type;

  @Option(
      names = "--role",
      paramLabel = "R",
      description = "For --runbook rotate: the role to rotate (alternating strategy).")
  String role;

  @Option(
      names = "--grace",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description = "For --runbook rotate: the grace period of each rotation. Default: 15m.")
  Duration grace;

  @Option(
      names = "--cron",
      required = true,
      paramLabel = "EXPR",
      description =
          "When, in UTC: minute hour day-of-month month day-of-week, e.g. \"0 2 * * *\"; or"
              + " @daily, @hourly.")
  String cron;

  @Option(
      names = "--jitter",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "Start each run up to this much later, at random (PT5M, 5m), so many schedules at the"
              + " same time do not start together. Default: none.")
  Duration jitter;

  @Option(
      names = "--catchup-window",
      paramLabel = "DURATION",
      converter = DurationConverter.class,
      description =
          "A run missed while Temporal was down still starts when it is back within this."
              + " Default: PT1H.")
  Duration catchupWindow;

  @Override
  public Integer call() {
    RunbookCommand root = parent.root;
    RunbookSchedule.checkName(name);
    RunbookSchedule schedule = schedule(connection.loadConfig(root.env()), user());
    RunbookKind kind = schedule.kind();
    String expression = schedule.cron();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    try (TemporalConnection temporal = connection.connect(root.env())) {
      ScheduleService.Mode mode =
          ScheduleCommand.service(temporal, root).create(schedule, connection.taskQueue());
      if (mode == ScheduleService.Mode.CRON_WORKFLOWS) {
        err.println(
            "This Temporal has no Schedules (the in-memory service answers UNIMPLEMENTED):"
                + " created the cron workflow "
                + schedule.cronWorkflowId()
                + " instead. It runs on the same cron, but without jitter or a catch-up window,"
                + " and pauses only between runs.");
      }
      if (connection.json()) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", name);
        json.put("mode", mode.label());
        json.put("runbook", kind.label());
        json.put("type", schedule.type());
        json.put("target", target.name());
        json.put("cron", expression);
        json.put("jitter", schedule.jitter());
        json.put("catchupWindow", schedule.catchupWindow());
        json.put(
            "workflowId",
            mode == ScheduleService.Mode.SCHEDULES
                ? schedule.workflowIdPrefix()
                : schedule.cronWorkflowId());
        out.println(Json.write(json));
      } else {
        out.println(
            "Created "
                + mode.label()
                + " "
                + (mode == ScheduleService.Mode.SCHEDULES ? name : schedule.cronWorkflowId())
                + ": "
                + (PitrRuns.PHYSICAL.equals(schedule.type()) ? "physical " : "")
                + kind.label()
                + " of "
                + target.name()
                + " at \""
                + expression
                + "\" UTC"
                + (mode == ScheduleService.Mode.SCHEDULES
                    ? ", jitter "
                        + Text.duration(schedule.jitter())
                        + ", catch-up window "
                        + Text.duration(schedule.catchupWindow())
                        + ", overlapping runs skipped"
                    : "")
                + ".");
        out.println(
            "Runs are named "
                + (mode == ScheduleService.Mode.SCHEDULES
                    ? schedule.workflowIdPrefix() + "-<scheduled time>"
                    : schedule.cronWorkflowId())
                + "; see them with 'runbook list'.");
      }
      return ExitCodes.DONE;
    }
  }

  /**
   * The schedule the options describe, built without Temporal: what a Temporal Schedule or the cron
   * workflow standing in for one gets.
   */
  RunbookSchedule schedule(RunbooksConfig config, String createdBy) {
    RunbookSchedule.checkName(name);
    RunbookKind kind = kind(runbook);
    String expression = RunbookSchedule.checkCron(cron);
    boolean typed = kind == RunbookKind.BACKUP || kind == RunbookKind.RESTORE_DRILL;
    if (!typed && type != null) {
      throw new UsageException(
          "--type applies to --runbook backup and restore-drill only: "
              + kind.label()
              + " has no type.");
    }
    boolean physical = PitrRuns.physical(type);
    return new RunbookSchedule(
        name,
        kind,
        target.name(),
        expression,
        jitter == null ? Duration.ZERO : jitter,
        catchupWindow == null ? RunbookSchedule.DEFAULT_CATCHUP_WINDOW : catchupWindow,
        createdBy,
        launch(config, kind, physical),
        !typed ? null : physical ? PitrRuns.PHYSICAL : PitrRuns.LOGICAL);
  }

  private RunbookStarter.Launch launch(RunbooksConfig config, RunbookKind kind, boolean physical) {
    String initiator = RunbookSchedule.initiator(name);
    if (kind != RunbookKind.ROTATE && (role != null || grace != null)) {
      throw new UsageException("--role and --grace apply to --runbook rotate only.");
    }
    if (physical) {
      PitrRuns runs = new PitrRuns(config, initiator);
      return kind == RunbookKind.BACKUP
          ? runs.backup(target.name(), null)
          : runs.drill(target.name(), null);
    }
    if (kind == RunbookKind.ROTATE) {
      if (role == null) {
        throw new UsageException(
            "--runbook rotate needs --role R: the group role whose logins take turns.");
      }
      return new RotationRuns(config, initiator)
          .rotate(target.name(), role, RotationStrategy.ALTERNATING, grace, null);
    }
    if (kind == RunbookKind.CHECK) {
      return CheckRunner.launch(
          config.target(target.name()), config.check().longTransaction(), null, initiator);
    }
    BackupRuns runs = new BackupRuns(config, initiator);
    return kind == RunbookKind.BACKUP
        ? runs.backup(target.name(), true, null)
        : runs.drill(target.name(), null, null);
  }

  private static RunbookKind kind(String runbook) {
    for (RunbookKind kind : RunbookSchedule.SCHEDULABLE) {
      if (kind.label().equals(runbook)) {
        return kind;
      }
    }
    List<String> labels = new ArrayList<>();
    RunbookSchedule.SCHEDULABLE.forEach(k -> labels.add(k.label()));
    throw new UsageException(
        "--runbook "
            + runbook
            + " cannot be scheduled: give one of "
            + String.join(", ", labels)
            + ".");
  }
}
