package dev.runbooks.activities.migration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.migration.LintFinding;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The golden corpus in {@code src/test/resources/lint/<rule-id>/}: every statement of {@code
 * fires.sql} fires that rule and nothing else (a statement after a {@code -- setup} comment fires
 * nothing), and {@code quiet.sql} fires no rule at all. Tables the corpus does not create exist
 * already. A {@code -- next migration} line starts the next pending script.
 */
class LintCorpusTest {
  private static final Path CORPUS = Path.of("src/test/resources/lint");

  @Test
  void everyRuleHasACorpusAndEveryCorpusARule() throws IOException {
    Set<String> dirs = new TreeSet<>();
    try (Stream<Path> list = Files.list(CORPUS)) {
      list.forEach(d -> dirs.add(d.getFileName().toString()));
    }
    Set<String> rules = new TreeSet<>(Arrays.stream(LintRule.values()).map(r -> r.id).toList());
    assertEquals(rules, dirs);
    for (String rule : rules) {
      assertTrue(Files.isRegularFile(CORPUS.resolve(rule).resolve("fires.sql")), rule);
      assertTrue(Files.isRegularFile(CORPUS.resolve(rule).resolve("quiet.sql")), rule);
    }
  }

  @Test
  void theOperatorPageListsEveryRule() throws IOException {
    String page = Files.readString(Path.of("../runbooks/migration.md"));
    for (LintRule rule : LintRule.values()) {
      assertTrue(
          page.contains("\n| `" + rule.id + "`"), rule.id + " is not in the Lint rules table");
    }
  }

  @TestFactory
  Stream<DynamicTest> eachRuleFiresWhereItMust() {
    return perRule(
        "fires.sql",
        (rule, scripts) -> {
          List<LintFinding> findings = SqlLint.lint(scripts);
          Set<String> expected = new TreeSet<>();
          for (SqlLint.NamedSql script : scripts) {
            for (LintScanner.Statement s : LintScanner.scan(script.sql())) {
              if (!s.comments().contains("setup")) {
                expected.add(script.name() + ":" + s.line());
              }
            }
          }
          Set<String> found = new TreeSet<>();
          for (LintFinding f : findings) {
            assertEquals(rule.id, f.rule(), f.warning());
            found.add(f.script() + ":" + f.line());
          }
          assertFalse(expected.isEmpty(), rule.id + ": fires.sql has no statement");
          assertEquals(expected, found, rule.id + ": " + findings);
        });
  }

  @TestFactory
  Stream<DynamicTest> noRuleFiresOnTheQuietForms() {
    return perRule(
        "quiet.sql",
        (rule, scripts) -> {
          assertFalse(
              LintScanner.scan(scripts.get(0).sql()).isEmpty(), rule.id + ": empty quiet.sql");
          assertEquals(List.of(), SqlLint.lint(scripts), rule.id);
        });
  }

  private interface CorpusCheck {
    void check(LintRule rule, List<SqlLint.NamedSql> scripts) throws Exception;
  }

  /** One dynamic test per rule over its corpus file {@code name}. */
  private static Stream<DynamicTest> perRule(String name, CorpusCheck check) {
    return Arrays.stream(LintRule.values())
        .map(
            rule ->
                DynamicTest.dynamicTest(
                    rule.id,
                    () ->
                        check.check(
                            rule,
                            scripts(Files.readString(CORPUS.resolve(rule.id).resolve(name))))));
  }

  /** The corpus file cut at {@code -- next migration} lines into V2, V3... scripts. */
  private static List<SqlLint.NamedSql> scripts(String sql) {
    List<SqlLint.NamedSql> scripts = new ArrayList<>();
    String[] parts = sql.split("(?m)^-- next migration$");
    for (int i = 0; i < parts.length; i++) {
      scripts.add(new SqlLint.NamedSql("V" + (i + 2) + "__corpus.sql", parts[i]));
    }
    return scripts;
  }
}
