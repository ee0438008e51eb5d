package dev.runbooks.cli;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

@Command(
    name = "runbook",
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "A database team's runbooks as durable Temporal workflows.",
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:done",
      "1:runbook failed",
      "2:usage or configuration error",
      "3:rolled back or aborted",
      "4:Temporal unreachable",
    },
    footerHeading = "%nEnvironment:%n",
    footer = {
      "  RUNBOOKS_CONFIG           the configuration file (--config)",
      "  RUNBOOK_USER              who you are, for approvals and history (else login)",
      "  TEMPORAL_ADDRESS          HOST:PORT of Temporal (--temporal)",
      "  TEMPORAL_NAMESPACE        the namespace (-n)",
      "  TEMPORAL_CONNECT_TIMEOUT  how long the first call may take (--connect-timeout)",
      "  TEMPORAL_PROFILE, TEMPORAL_CONFIG_FILE, TEMPORAL_TLS_*, TEMPORAL_API_KEY",
      "                            Temporal's own client settings (temporal.toml)",
      "  RUNBOOKS_LOG_LEVEL        runbook's log level (default INFO)",
      "  RUNBOOKS_LOG_LEVEL_TEMPORAL  the Temporal SDK's and gRPC's (default WARN)",
      "  RUNBOOKS_LOG_FILE         the log file; logs reach stderr only with --verbose",
      "                            (default ~/.local/state/runbooks/runbook.log)",
      "  RUNBOOKS_DATA_DIR         the worker's data directory (schema snapshots)",
      "  RUNBOOKS_PG_BIN           PostgreSQL's bin directory (else PATH, pg_config)",
      "  NO_COLOR                  no colour on a terminal",
      "  COLUMNS, LINES            the live view's size (else the terminal's)",
      "  RUNBOOK_JAVA_OPTS         extra JVM options for the ./runbook launcher",
      "%nExample:",
      "  runbook dev                                 # Temporal in memory + a worker",
      "  runbook check --target orders --wait        # in another terminal",
    })
final class RunbookCommand implements Callable<Integer> {
  /**
   * The subcommands, added by {@link CommandTree} rather than named in {@code @Command}: a command
   * line needs the model of the command it runs, not the models picocli reflects out of every
   * option of every command.
   */
  static final List<Class<?>> SUBCOMMANDS =
      List.of(
          DevCommand.class,
          WorkerCommand.class,
          DemoCommand.class,
          CheckCommand.class,
          BackupCommand.class,
          FailoverCommand.class,
          RestoreDrillCommand.class,
          BackupsCommand.class,
          ArchiveCommand.class,
          RestoreCommand.class,
          MigrateCommand.class,
          RotateCommand.class,
          DecryptCommand.class,
          ScheduleCommand.class,
          ListCommand.class,
          StatusCommand.class,
          WatchCommand.class,
          ApproveCommand.class,
          AbortCommand.class,
          CompletionCommand.class,
          KeysCommand.class,
          TrainCommand.class,
          CodecServerCommand.class,
          AuditCommand.class);

  @Spec CommandSpec spec;
  @Mixin LogOptions logs;

  private final Map<String, String> env;
  private final boolean terminal;

  RunbookCommand(Map<String, String> env, boolean terminal) {
    this.env = env;
    this.terminal = terminal;
  }

  /** The environment the command reads; the process environment outside tests. */
  Map<String, String> env() {
    return env;
  }

  /** Whether stdout is a terminal, so {@code watch} may redraw. */
  boolean terminal() {
    return terminal;
  }

  @Option(
      names = "--no-color",
      scope = ScopeType.INHERIT,
      description = "No colour on a terminal (so does a non-empty $NO_COLOR).")
  boolean noColor;

  /** Where live output goes: a terminal redrawn in place (coloured unless told not), or lines. */
  Screen screen() {
    return Screen.of(env, terminal, noColor);
  }

  @Override
  public Integer call() {
    throw new ParameterException(spec.commandLine(), "a command is missing");
  }
}
