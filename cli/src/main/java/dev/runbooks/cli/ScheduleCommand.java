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
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(
    name = "schedule",
    mixinStandardHelpOptions = true,
    description = {
      "Runs backups, restore drills and credential rotations on a cron schedule, as Temporal"
          + " Schedules: a run still"
          + " going when the next is due makes that one skip, and a run missed while Temporal was"
          + " down starts late within the catch-up window.",
      "Against the in-memory Temporal (dev, demo), which has no Schedules, a cron workflow named"
          + " schedule-<NAME> stands in, and the commands say so."
    },
    subcommands = {
      ScheduleCommand.Create.class,
      ScheduleCommand.ListSchedules.class,
      ScheduleCommand.Pause.class,
      ScheduleCommand.Unpause.class,
      ScheduleCommand.Delete.class,
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook schedule create nightly-orders --runbook backup --target orders \\",
      "      --cron \"0 2 * * *\" --jitter PT5M",
      "  runbook schedule list"
    })
final class ScheduleCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;

  @Override
  public Integer call() {
    throw new ParameterException(
        spec.commandLine(), "a subcommand is missing: create, list, pause, unpause or delete");
  }

  /** The service for one command, with the command's identity. */
  private static ScheduleService service(TemporalConnection temporal, RunbookCommand root) {
    return new ScheduleService(temporal, Identity.user(root.env()));
  }

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
        "  runbook schedule create monthly-app --runbook rotate --target orders \\",
        "      --role orders_app --cron \"0 3 1 * *\"  # every month"
      })
  static final class Create implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "NAME", description = "The schedule's name, e.g. nightly-orders.")
    String name;

    @Option(
        names = "--runbook",
        required = true,
        paramLabel = "backup|restore-drill|rotate",
        description = "The runbook to run.")
    String runbook;

    @Option(
        names = "--target",
        required = true,
        paramLabel = "T",
        description = "The target's name in the configuration.")
    String target;

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
      RunbookKind kind = kind(runbook);
      String expression = RunbookSchedule.checkCron(cron);
      RunbooksConfig config = connection.loadConfig(root.env());
      RunbookStarter.Launch launch = launch(config, kind);
      RunbookSchedule schedule =
          new RunbookSchedule(
              name,
              kind,
              target,
              expression,
              jitter == null ? Duration.ZERO : jitter,
              catchupWindow == null ? RunbookSchedule.DEFAULT_CATCHUP_WINDOW : catchupWindow,
              Identity.user(root.env()),
              launch);
      PrintWriter out = spec.commandLine().getOut();
      PrintWriter err = spec.commandLine().getErr();
      try (TemporalConnection temporal = connection.connect(root.env())) {
        ScheduleService.Mode mode =
            service(temporal, root).create(schedule, connection.taskQueue());
        if (mode == ScheduleService.Mode.CRON_WORKFLOWS) {
          err.println(
              "This Temporal has no Schedules (the in-memory service answers UNIMPLEMENTED):"
                  + " created the cron workflow "
                  + schedule.cronWorkflowId()
                  + " instead. It runs on the same cron, but without jitter or a catch-up window,"
                  + " and cannot be paused.");
        }
        if (connection.json()) {
          Map<String, Object> json = new LinkedHashMap<>();
          json.put("name", name);
          json.put("mode", mode.label());
          json.put("runbook", kind.label());
          json.put("target", target);
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
                  + kind.label()
                  + " of "
                  + target
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

    private RunbookStarter.Launch launch(RunbooksConfig config, RunbookKind kind) {
      String initiator = RunbookSchedule.initiator(name);
      if (kind != RunbookKind.ROTATE && (role != null || grace != null)) {
        throw new UsageException("--role and --grace apply to --runbook rotate only.");
      }
      if (kind == RunbookKind.ROTATE) {
        if (role == null) {
          throw new UsageException(
              "--runbook rotate needs --role R: the group role whose logins take turns.");
        }
        return new RotationRuns(config, initiator)
            .rotate(target, role, RotationStrategy.ALTERNATING, grace, null);
      }
      BackupRuns runs = new BackupRuns(config, initiator);
      return kind == RunbookKind.BACKUP
          ? runs.backup(target, true, null)
          : runs.drill(target, null, null);
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

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the runbooks' schedules: runbook, target, cron, next run, paused.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule list --output json")
  static final class ListSchedules implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        List<ScheduleService.Row> rows = service(temporal, parent.root).list();
        if (connection.json()) {
          out.println(Json.write(rows));
          return ExitCodes.DONE;
        }
        print(rows, out);
        return ExitCodes.DONE;
      }
    }

    static void print(List<ScheduleService.Row> rows, PrintWriter out) {
      if (rows.isEmpty()) {
        out.println(
            "No schedules. Create one with: runbook schedule create NAME --runbook backup"
                + " --target T --cron \"0 2 * * *\"");
        return;
      }
      List<String[]> lines = new ArrayList<>();
      lines.add(new String[] {"NAME", "RUNBOOK", "TARGET", "CRON (UTC)", "NEXT RUN", "STATE"});
      boolean cron = false;
      for (ScheduleService.Row row : rows) {
        cron |= row.mode() == ScheduleService.Mode.CRON_WORKFLOWS;
        String state = row.paused() ? "paused" : "active";
        if (!row.note().isEmpty()
            && (row.paused() || row.mode() != ScheduleService.Mode.SCHEDULES)) {
          state += " (" + row.note() + ")";
        }
        lines.add(
            new String[] {
              row.name(),
              orDash(row.runbook()),
              orDash(row.target()),
              orDash(row.cron()),
              row.nextRun() == null ? "-" : Text.time(row.nextRun()),
              state
            });
      }
      int[] widths = new int[lines.get(0).length];
      for (String[] line : lines) {
        for (int i = 0; i < line.length; i++) {
          widths[i] = Math.max(widths[i], line[i].length());
        }
      }
      for (String[] line : lines) {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < line.length; i++) {
          text.append(i == line.length - 1 ? line[i] : Text.pad(line[i], widths[i] + 2));
        }
        out.println(text.toString().stripTrailing());
      }
      if (cron) {
        out.println(
            "(cron workflows schedule-<NAME>: this Temporal has no Schedules; they cannot be"
                + " paused)");
      }
    }

    private static String orDash(String s) {
      return s == null ? "-" : s;
    }
  }

  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pauses a schedule: no runs start until it is unpaused. Runs going on go on.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule pause nightly-orders --note \"storage migration, INC-1234\"")
  static final class Pause implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Option(
        names = "--note",
        paramLabel = "TEXT",
        description = "Why, for whoever finds it paused (shown by 'schedule list').")
    String note;

    @Override
    public Integer call() {
      String who = Identity.user(parent.root.env());
      String text = "paused by " + who + (note == null || note.isBlank() ? "" : ": " + note);
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        service(temporal, parent.root).pause(name, text);
      }
      spec.commandLine().getOut().println("Paused schedule " + name + " (" + text + ").");
      return ExitCodes.DONE;
    }
  }

  @Command(
      name = "unpause",
      mixinStandardHelpOptions = true,
      description = "Unpauses a schedule: its next run starts at its next cron time.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule unpause nightly-orders")
  static final class Unpause implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Override
    public Integer call() {
      String text = "unpaused by " + Identity.user(parent.root.env());
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        service(temporal, parent.root).unpause(name, text);
      }
      spec.commandLine().getOut().println("Unpaused schedule " + name + ".");
      return ExitCodes.DONE;
    }
  }

  @Command(
      name = "delete",
      mixinStandardHelpOptions = true,
      description =
          "Deletes a schedule. A run it started goes on; a cron workflow standing in for a"
              + " schedule is terminated, with its run.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule delete nightly-orders")
  static final class Delete implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;

    @Override
    public Integer call() {
      String reason = "schedule deleted by " + Identity.user(parent.root.env());
      ScheduleService.Mode mode;
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        mode = service(temporal, parent.root).delete(name, reason);
      }
      spec.commandLine()
          .getOut()
          .println(
              mode == ScheduleService.Mode.SCHEDULES
                  ? "Deleted schedule " + name + "."
                  : "Terminated the cron workflow "
                      + RunbookSchedule.CRON_WORKFLOW_PREFIX
                      + name
                      + " standing in for schedule "
                      + name
                      + " (this Temporal has no Schedules).");
      return ExitCodes.DONE;
    }
  }
}
