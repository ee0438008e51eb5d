package dev.runbooks.activities.migration;

import dev.runbooks.workflows.migration.LintFinding;
import dev.runbooks.workflows.shared.FailureType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Lints pending migrations the way a reviewer who knows PostgreSQL's locks would (the rules are in
 * {@link LintRule}): each finding names the script and line, what the statement does to a table in
 * use, and the lighter way. Findings are warnings in the plan; they do not stop a run. A table
 * created earlier in the same pending set is new, so nothing waits on its locks. The runbook sets
 * lock_timeout and statement_timeout for every version itself, so the lint never asks for them.
 *
 * <p>A finding the team accepted is kept quiet, with the reason, by a comment before the statement
 * (or after it on its line): {@code -- runbooks:lint ignore ban-drop-column archived in S3}.
 */
public final class SqlLint {
  static final String SUPPRESS = "runbooks:lint";
  private static final Pattern SUPPRESSION =
      Pattern.compile(
          "runbooks:lint\\s+ignore\\s+([a-z0-9-]+(?:\\s*,\\s*[a-z0-9-]+)*)(.*)", Pattern.DOTALL);

  private SqlLint() {}

  /**
   * Lints pending scripts in the order they apply.
   *
   * @throws io.temporal.failure.ApplicationFailure BAD_INPUT for a suppression without a reason or
   *     naming no rule
   */
  public static List<LintFinding> lint(List<NamedSql> scripts) {
    List<LintFinding> findings = new ArrayList<>();
    LintState state = new LintState();
    for (NamedSql script : scripts) {
      List<LintScanner.Statement> statements = LintScanner.scan(script.sql());
      state.startScript(
          statements.stream().noneMatch(SqlLint::outsideTransaction),
          (int) statements.stream().filter(st -> !setting(st)).count());
      for (LintScanner.Statement statement : statements) {
        Map<LintRule, String> ignored = suppressions(script.name(), statement);
        LintRules.check(
            statement,
            state,
            (rule, message) ->
                findings.add(
                    new LintFinding(
                        rule.id, script.name(), statement.line(), message, ignored.get(rule))));
      }
    }
    return findings;
  }

  /** The plan's warning lines: the findings that stand. */
  public static List<String> warnings(List<LintFinding> findings) {
    return findings.stream().filter(f -> f.suppressed() == null).map(LintFinding::warning).toList();
  }

  private static Map<LintRule, String> suppressions(
      String script, LintScanner.Statement statement) {
    Map<LintRule, String> ignored = new LinkedHashMap<>();
    for (String comment : statement.comments()) {
      if (!comment.startsWith(SUPPRESS)) {
        continue;
      }
      String where = script + " line " + statement.line() + ": '-- " + comment + "'";
      Matcher m = SUPPRESSION.matcher(comment);
      if (!m.matches()) {
        throw FailureType.BAD_INPUT.failure(
            where
                + " is not a suppression; write '-- runbooks:lint ignore RULE reason' (for"
                + " example '-- runbooks:lint ignore ban-drop-column unused since 4.2') before the"
                + " statement, then start again; nothing was changed");
      }
      String reason = m.group(2).strip();
      if (reason.isEmpty()) {
        throw FailureType.BAD_INPUT.failure(
            where
                + " gives no reason; say after the rule id why the finding is safe here (for"
                + " example '-- runbooks:lint ignore "
                + m.group(1).strip()
                + " the table is empty in production'), then start again; nothing was changed");
      }
      for (String id : m.group(1).split("\\s*,\\s*")) {
        LintRule rule =
            LintRule.byId(id)
                .orElseThrow(
                    () ->
                        FailureType.BAD_INPUT.failure(
                            where
                                + " names no rule: "
                                + id
                                + " is not one of "
                                + String.join(
                                    ", ", Arrays.stream(LintRule.values()).map(r -> r.id).toList())
                                + ". Fix the id (runbooks/migration.md lists them), then start"
                                + " again; nothing was changed"));
        ignored.put(rule, reason);
      }
    }
    return ignored;
  }

  /**
   * The statements Flyway 13 runs outside a transaction, which takes their whole script out of one
   * (its PostgreSQL parser's list).
   */
  static boolean outsideTransaction(LintScanner.Statement statement) {
    LintCursor c = new LintCursor(statement.tokens());
    if (c.at("create") || c.at("drop")) {
      c.skip();
      if (c.at("database") || c.at("tablespace") || c.at("subscription")) {
        return true;
      }
      c.accept("unique");
      return c.at("index", "concurrently");
    }
    if (c.accept("reindex")) {
      c.accept("verbose");
      return c.at("schema") || c.at("database") || c.at("system");
    }
    return c.at("vacuum") || c.at("alter", "system") || c.at("discard", "all");
  }

  /** SET and RESET: they change no table, and do not make a CONCURRENTLY script non-atomic. */
  private static boolean setting(LintScanner.Statement statement) {
    LintCursor c = new LintCursor(statement.tokens());
    return c.at("set") || c.at("reset");
  }

  /** A script's file name and its SQL. */
  public record NamedSql(String name, String sql) {}
}
