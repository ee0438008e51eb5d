package dev.runbooks.cli;

import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;

/** The {@code runbook} command. Tests drive {@link #run} over their own writers and environment. */
public final class Main {
  private final PrintWriter out;
  private final PrintWriter err;
  private final Map<String, String> env;
  private final boolean terminal;

  /**
   * @param env the environment the command reads ({@code RUNBOOKS_CONFIG}, {@code RUNBOOK_USER},
   *     {@code TEMPORAL_*}); the process environment in production
   */
  public Main(PrintWriter out, PrintWriter err, Map<String, String> env) {
    this(out, err, env, false);
  }

  Main(PrintWriter out, PrintWriter err, Map<String, String> env, boolean terminal) {
    this.out = out;
    this.err = err;
    this.env = Map.copyOf(env);
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    System.exit(new Main(stdout(), stderr(), System.getenv(), System.console() != null).run(args));
  }

  /** Runs one command line and returns its exit code (see {@code runbook --help}). */
  public int run(String... args) {
    RunbookCommand root = new RunbookCommand(env, terminal);
    CommandLine commandLine = configure(CommandTree.forArgs(root, args), root);
    int code = commandLine.execute(args);
    out.flush();
    err.flush();
    return code;
  }

  CommandLine commandLine(RunbookCommand root) {
    return configure(CommandTree.whole(root), root);
  }

  private CommandLine configure(CommandLine commandLine, RunbookCommand root) {
    Logs logs = new Logs(env);
    Failures failures = new Failures(logs);
    commandLine.setExecutionStrategy(
        parseResult -> {
          Integer help = CommandLine.executeHelpRequest(parseResult);
          if (help != null) {
            return help; // before logging is set up: help and version must be quick
          }
          List<CommandLine> chain = parseResult.asCommandLineList();
          logs.configure(
              root.logs, chain.get(chain.size() - 1).getCommand() instanceof Logs.Foreground);
          return new CommandLine.RunLast().execute(parseResult);
        });
    commandLine
        .setOut(out)
        .setErr(err)
        .setCaseInsensitiveEnumValuesAllowed(true)
        .setAbbreviatedOptionsAllowed(false)
        .setParameterExceptionHandler(failures)
        .setExecutionExceptionHandler(failures)
        .setExitCodeExceptionMapper(failures);
    return commandLine;
  }

  private static PrintWriter stdout() {
    return new PrintWriter(System.out, true, Charset.defaultCharset());
  }

  private static PrintWriter stderr() {
    return new PrintWriter(System.err, true, Charset.defaultCharset());
  }
}
