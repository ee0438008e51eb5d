package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Function;
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
      ScheduleCreateCommand.class,
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
  static ScheduleService service(TemporalConnection temporal, RunbookCommand root) {
    return new ScheduleService(temporal, Identity.user(root.env()));
  }

  /** A subcommand of {@code schedule}: the connection to the Temporal that holds the schedules. */
  abstract static class Subcommand implements Callable<Integer> {
    @Spec CommandSpec spec;
    @ParentCommand ScheduleCommand parent;
    @Mixin ConnectionOptions connection;

    /** Who runs the command, for the schedule's notes and history. */
    final String user() {
      return Identity.user(parent.root.env());
    }

    /** Connects to the Temporal the connection options name and asks its schedules. */
    final <T> T fromService(Function<ScheduleService, T> query) {
      try (TemporalConnection temporal = connection.connect(parent.root.env())) {
        return query.apply(service(temporal, parent.root));
      }
    }

    /** Connects to the Temporal the connection options name and changes its schedules. */
    final void withService(Consumer<ScheduleService> change) {
      fromService(
          service -> {
            change.accept(service);
            return null;
          });
    }

    final PrintWriter out() {
      return spec.commandLine().getOut();
    }

    /** What {@code -o json} prints for a change to one schedule. */
    static Map<String, Object> changed(String name, String action, String note) {
      Map<String, Object> json = new LinkedHashMap<>();
      json.put("name", name);
      json.put("action", action);
      json.put("note", note);
      return json;
    }
  }

  /** A subcommand about one schedule, named by the first parameter. */
  abstract static class OneSchedule extends Subcommand {
    @Parameters(paramLabel = "NAME", description = "The schedule's name.")
    String name;
  }

  @Command(
      name = "list",
      mixinStandardHelpOptions = true,
      description = "Lists the runbooks' schedules: runbook, target, cron, next run, paused.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule list --output json")
  static final class ListSchedules extends Subcommand {
    @Override
    public Integer call() {
      List<ScheduleService.Row> rows = fromService(ScheduleService::list);
      if (connection.json()) {
        out().println(Json.write(rows));
      } else {
        print(rows, out());
      }
      return ExitCodes.DONE;
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
              orDash(row.runbook()) + (PitrRuns.PHYSICAL.equals(row.type()) ? " (physical)" : ""),
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
            "(cron workflows schedule-<NAME>: this Temporal has no Schedules; they pause and"
                + " unpause only between runs)");
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
  static final class Pause extends OneSchedule {
    @Option(
        names = "--note",
        paramLabel = "TEXT",
        description = "Why, for whoever finds it paused (shown by 'schedule list').")
    String note;

    @Override
    public Integer call() {
      String text = "paused by " + user() + (note == null || note.isBlank() ? "" : ": " + note);
      withService(service -> service.pause(name, text));
      if (connection.json()) {
        out().println(Json.write(changed(name, "paused", text)));
      } else {
        out().println("Paused schedule " + name + " (" + text + ").");
      }
      return ExitCodes.DONE;
    }
  }

  @Command(
      name = "unpause",
      mixinStandardHelpOptions = true,
      description = "Unpauses a schedule: its next run starts at its next cron time.",
      footerHeading = "%nExample:%n",
      footer = "  runbook schedule unpause nightly-orders")
  static final class Unpause extends OneSchedule {
    @Override
    public Integer call() {
      String text = "unpaused by " + user();
      withService(service -> service.unpause(name, text));
      if (connection.json()) {
        out().println(Json.write(changed(name, "unpaused", text)));
      } else {
        out().println("Unpaused schedule " + name + ".");
      }
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
  static final class Delete extends OneSchedule {
    @Override
    public Integer call() {
      String reason = "schedule deleted by " + user();
      ScheduleService.Mode mode = fromService(service -> service.delete(name, reason));
      if (connection.json()) {
        Map<String, Object> json = changed(name, "deleted", reason);
        json.put("mode", mode.label());
        out().println(Json.write(json));
        return ExitCodes.DONE;
      }
      out()
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
