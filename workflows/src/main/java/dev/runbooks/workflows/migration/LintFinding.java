package dev.runbooks.workflows.migration;

import java.util.Objects;

/**
 * One finding of the migration lint, for the plan and {@code --output json}.
 *
 * @param rule the rule id ({@code require-concurrent-index-creation}...), squawk's where it has one
 * @param script the {@code V<version>__*.sql} file name
 * @param line the line the statement starts on, from 1
 * @param message what the statement does to a table in use, and the lighter way
 * @param suppressed the reason given in a {@code -- runbooks:lint ignore RULE reason} comment; null
 *     when the finding stands
 */
public record LintFinding(String rule, String script, int line, String message, String suppressed) {
  public LintFinding {
    Objects.requireNonNull(rule, "rule");
    Objects.requireNonNull(script, "script");
    Objects.requireNonNull(message, "message");
  }

  /** {@code V2__x.sql:3 rule-id: message}: the plan's warning line. */
  public String warning() {
    return script + ":" + line + " " + rule + ": " + message;
  }
}
