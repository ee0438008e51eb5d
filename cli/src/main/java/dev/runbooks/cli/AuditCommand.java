package dev.runbooks.cli;

import dev.runbooks.worker.TemporalConnection;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

@Command(
    name = "audit",
    mixinStandardHelpOptions = true,
    description = {
      "Who started, approved and aborted each run, how it ended and what it changed (versions"
          + " applied or rolled back, backup taken, role rotated, new primary), from the Temporal"
          + " histories: one line per event, oldest first. Identities are RUNBOOK_USER (else the"
          + " login) of whoever ran the command."
    },
    footerHeading = "%nExample:%n",
    footer = "  runbook audit --target orders --since 7d -o json")
final class AuditCommand implements Callable<Integer> {
  @Spec CommandSpec spec;
  @ParentCommand RunbookCommand root;
  @Mixin ConnectionOptions connection;

  @Option(names = "--target", paramLabel = "NAME", description = "Only this target's runs.")
  String target;

  @Option(
      names = "--since",
      paramLabel = "WHEN",
      description =
          "Only runs started since then: a duration back (7d, 12h) or a date (2026-12-01).")
  String since;

  @Option(
      names = "--limit",
      paramLabel = "N",
      defaultValue = "200",
      description = "Read at most the newest N runs (default: ${DEFAULT-VALUE}).")
  int limit;

  @Override
  public Integer call() {
    if (limit < 1) {
      throw new UsageException("--limit must be at least 1, was " + limit + ".");
    }
    Instant from = since == null ? Instant.EPOCH : since(since, Clock.systemUTC());
    List<AuditTrail.Event> events = new ArrayList<>();
    try (TemporalConnection temporal = connection.connect(root.env())) {
      for (ListCommand.Row run : ListCommand.runs(temporal, limit)) {
        boolean wanted = target == null || target.equals(run.target());
        if (wanted && run.started() != null && !run.started().isBefore(from)) {
          events.addAll(AuditTrail.of(temporal.client(), run));
        }
      }
    }
    events.sort(Comparator.comparing(AuditTrail.Event::at));
    PrintWriter out = spec.commandLine().getOut();
    if (connection.json()) {
      out.println(Json.write(events));
      return ExitCodes.DONE;
    }
    if (events.isEmpty()) {
      out.println("No runs" + (target == null ? "" : " of " + target) + " in that time.");
    }
    for (AuditTrail.Event e : events) {
      out.println(
          String.join(
              "  ",
              e.at().toString(),
              e.workflowId(),
              e.kind(),
              e.target(),
              e.action(),
              "by "
                  + e.by()
                  + (e.detail().isEmpty() ? "" : ": " + e.detail())
                  + (e.changed().isEmpty() ? "" : " (changed: " + e.changed() + ")")));
    }
    return ExitCodes.DONE;
  }

  static Instant since(String written, Clock clock) {
    try {
      return LocalDate.parse(written).atStartOfDay(ZoneOffset.UTC).toInstant();
    } catch (DateTimeParseException notADate) {
      try {
        return clock.instant().minus(new DurationConverter().convert(written));
      } catch (TypeConversionException e) {
        throw new UsageException(
            "--since \""
                + written
                + "\" is neither a duration nor a date: give one like 7d, 12h or 2026-12-01.");
      }
    }
  }
}
