package dev.runbooks.cli;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.worker.TemporalSettingsException;
import dev.runbooks.worker.TemporalUnreachableException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.client.WorkflowNotFoundException;
import java.io.PrintWriter;
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
    if (known == null) {
      err.println(
          prefix(command)
              + "unexpected error: "
              + e
              + ". This is a bug in runbook; the trace below helps to fix it.");
      e.printStackTrace(err);
    } else {
      err.println(prefix(command) + message(known));
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
          || isUnavailable(t)) {
        return t;
      }
    }
    return null;
  }

  private static boolean isUnavailable(Throwable t) {
    return t instanceof StatusRuntimeException
        && ((StatusRuntimeException) t).getStatus().getCode() == Status.Code.UNAVAILABLE;
  }

  private static String message(Throwable known) {
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
