package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.worker.TemporalSettingsException;
import dev.runbooks.worker.TemporalUnreachableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The one place exceptions become exit codes and messages. Known failures print their message only:
 * it already says what is wrong and what to do. Anything else is a bug and prints its trace.
 */
final class Failures
    implements IParameterExceptionHandler, IExecutionExceptionHandler, IExitCodeExceptionMapper {
  private final Logs logs;

  /**
   * @param logs where a trace goes: the log file, or stderr with {@code --debug}
   */
  Failures(Logs logs) {
    this.logs = logs;
  }

  @Override
  public int handleParseException(ParameterException e, String[] args) {
    CommandLine command = e.getCommandLine();
    PrintWriter err = command.getErr();
    err.println(prefix(command) + e.getMessage());
    if (!UnmatchedArgumentException.printSuggestions(e, err)) {
      err.println(
          "See '"
              + command.getCommandSpec().qualifiedName()
              + " --help' for options and examples.");
    }
    return ExitCodes.USAGE;
  }

  @Override
  public int handleExecutionException(Exception e, CommandLine command, ParseResult parseResult) {
    PrintWriter err = command.getErr();
    int code = getExitCode(e);
    Throwable known = known(e);
    // Looked up here, not in a static field: --help and --version must not start logging.
    Logger log = LoggerFactory.getLogger(Failures.class);
    log.error("{} failed", command.getCommandSpec().qualifiedName(), e);
    if (known == null) {
      err.println(
          prefix(command)
              + "unexpected error: "
              + e
              + ". This is a bug in runbook; "
              + logs.file()
                  .map(f -> "its trace is in " + f + " (or run with --debug)")
                  .orElse("run with --debug for its trace")
              + ", and helps to fix it.");
    } else {
      err.println(prefix(command) + message(known));
    }
    if (logs.debug()) {
      e.printStackTrace(err);
    }
    err.flush();
    return code;
  }

  @Override
  public int getExitCode(Throwable e) {
    Throwable known = known(e);
    if (known == null) {
      return ExitCodes.RUNBOOK_FAILED;
    }
    if (isRefused(known)) {
      return ExitCodes.USAGE;
    }
    if (known instanceof TemporalUnreachableException
        || known instanceof UnguardedTargetException
        || known instanceof StatusRuntimeException) {
      return ExitCodes.TEMPORAL_UNREACHABLE;
    }
    if (known instanceof TargetLockedException) {
      return ExitCodes.RUNBOOK_FAILED;
    }
    return ExitCodes.USAGE;
  }

  /** The first exception in the cause chain that this class knows how to explain, or null. */
  private static Throwable known(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UsageException
          || t instanceof ConfigException
          || t instanceof MissingPostgresException
          || t instanceof TemporalSettingsException
          || t instanceof TemporalUnreachableException
          || t instanceof TargetLockedException
          || t instanceof UnguardedTargetException
          || t instanceof WorkflowNotFoundException
          || t instanceof ParameterException
          || isUnavailable(t)
          || isRefused(t)) {
        return t;
      }
    }
    return null;
  }

  private static boolean isUnavailable(Throwable t) {
    return t instanceof StatusRuntimeException
        && ((StatusRuntimeException) t).getStatus().getCode() == Status.Code.UNAVAILABLE;
  }

  /** Temporal refused the request as malformed: the user's input, not a bug. */
  private static boolean isRefused(Throwable t) {
    return t instanceof StatusRuntimeException
        && ((StatusRuntimeException) t).getStatus().getCode() == Status.Code.INVALID_ARGUMENT;
  }

  private static String message(Throwable known) {
    if (isRefused(known)) {
      return "Temporal refused the request: "
          + ((StatusRuntimeException) known).getStatus().getDescription()
          + ". Correct the value it names and try again.";
    }
    if (known instanceof WorkflowNotFoundException) {
      String id = ((WorkflowNotFoundException) known).getExecution().getWorkflowId();
      return "no run with ID "
          + id
          + " in this namespace. Check the ID ('runbook list' shows the runs), and --namespace.";
    }
    if (known instanceof StatusRuntimeException) {
      return "Temporal stopped answering ("
          + ((StatusRuntimeException) known).getStatus()
          + "). Check that the server runs, then follow the run with 'runbook watch ID'.";
    }
    return known.getMessage();
  }

  private static String prefix(CommandLine command) {
    return command.getCommandSpec().qualifiedName() + ": ";
  }
}
