package dev.runbooks.cli;

import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** Where logs go and how they look; given anywhere on the command line. */
final class LogOptions {
  /** How each log line is written. */
  enum Format {
    TEXT,
    JSON
  }

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Logs on stderr instead of the log file ($RUNBOOKS_LOG_FILE).")
  boolean verbose;

  @Option(
      names = "--debug",
      scope = ScopeType.INHERIT,
      description = "Debug logs on stderr, and the stack trace of any error.")
  boolean debug;

  @Option(
      names = "--log-format",
      scope = ScopeType.INHERIT,
      paramLabel = "text|json",
      defaultValue = "text",
      description =
          "text (default) or json: one JSON object per line with the workflow ID, run ID and"
              + " activity type.")
  Format format;
}
