package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.testing.LocalPrometheus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Grafana dashboard (runbooks/dashboards/runbooks.json) parses, each of its PromQL expressions
 * is valid PromQL (promtool checks it as a recording rule), and it names only metrics that
 * runbooks/metrics.md documents or the Temporal SDK's {@code temporal_*}: a panel on a misspelt or
 * undocumented metric would stay empty without an error anywhere.
 */
class DashboardTest {
  private static final Path ROOT = AlertRulesTest.ALERTS.getParent().getParent();
  private static final Path DASHBOARD = ROOT.resolve("runbooks/dashboards/runbooks.json");

  /** The words of PromQL that are not metric names (functions are told by their parenthesis). */
  private static final Set<String> KEYWORDS =
      Set.of(
          "and",
          "or",
          "unless",
          "bool",
          "offset",
          "by",
          "without",
          "on",
          "ignoring",
          "group_left",
          "group_right",
          "inf",
          "nan",
          "atan2");

  private static final Pattern IDENTIFIER =
      Pattern.compile("(?<![\\w.:])([a-zA-Z_:][a-zA-Z0-9_:]*)(\\s*\\()?");
  private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((\\w+)");

  @TempDir Path dir;

  @Test
  void everyExpressionIsValidPromql() throws Exception {
    List<String> expressions = expressions(dashboard());
    assertTrue(expressions.size() >= 8, "too few panels' queries: " + expressions);
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    for (int i = 0; i < expressions.size(); i++) {
      String expr = withVariablesFilledIn(expressions.get(i));
      rules.append("      - record: dashboard:expression_").append(i).append('\n');
      rules.append("        expr: '").append(expr.replace("'", "''")).append("'\n");
    }
    Files.writeString(dir.resolve("dashboard.yml"), rules);
    LocalPrometheus.Result check = LocalPrometheus.promtool(dir, "check", "rules", "dashboard.yml");
    assertEquals(0, check.code(), check.output() + "\n" + rules);
  }

  @Test
  void namesOnlyDocumentedMetrics() throws IOException {
    JsonNode dashboard = dashboard();
    Set<String> documented = documentedMetrics();
    Set<String> used = new TreeSet<>();
    for (String expr : expressions(dashboard)) {
      used.addAll(metricNames(withVariablesFilledIn(expr)));
    }
    Matcher variable = LABEL_VALUES.matcher(dashboard.path("templating").toString());
    while (variable.find()) {
      used.add(variable.group(1));
    }
    assertTrue(used.size() >= 12, "the dashboard names few metrics: " + used);
    assertEquals(Set.of(), undocumented(used, documented), "documented: " + documented);
  }

  @Test
  void findsMetricNamesAndTellsUndocumentedOnes() {
    assertEquals(
        Set.of("runbooks_runs_total", "runbooks_x_seconds", "temporal_y"),
        metricNames(
            "sum by (kind, outcome) (increase(runbooks_runs_total{outcome=~\"failed|by\","
                + " target=~\".+\"}[1h])) > bool on(target) group_left runbooks_x_seconds"
                + " offset 5m or rate(temporal_y[5m]) * 1e3 and time() - 0.5"));
    assertEquals(
        Set.of("runbooks_made_up"),
        undocumented(
            Set.of(
                "runbooks_made_up",
                "runbooks_step_duration_seconds_bucket",
                "runbooks_backups",
                "temporal_poll"),
            Set.of("runbooks_backups", "runbooks_step_duration_seconds")));
  }

  @Test
  void fillsInEveryGrafanaVariable() throws IOException {
    for (String expr : expressions(dashboard())) {
      assertFalse(withVariablesFilledIn(expr).contains("$"), expr);
    }
  }

  private static JsonNode dashboard() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertEquals("runbooks", dashboard.path("uid").asText());
    assertTrue(dashboard.path("panels").size() > 0, "no panels in " + DASHBOARD);
    return dashboard;
  }

  /** Every query of every panel, rows' nested panels included. */
  private static List<String> expressions(JsonNode dashboard) {
    List<String> found = new ArrayList<>();
    for (JsonNode target : dashboard.findValues("targets")) {
      for (JsonNode query : target) {
        assertTrue(query.hasNonNull("expr"), "a query without expr: " + query);
        found.add(query.path("expr").asText());
      }
    }
    return found;
  }

  /** The dashboard's variables as Grafana fills them in; any other one is left (and fails). */
  private static String withVariablesFilledIn(String expr) {
    return expr.replace("$target", ".+")
        .replace("$__rate_interval", "5m")
        .replace("$__interval", "1m")
        .replace("$__range", "1h");
  }

  /** The metric names in a PromQL expression: identifiers outside strings, matchers and ranges. */
  static Set<String> metricNames(String expr) {
    String bare =
        expr.replaceAll("\"(\\\\.|[^\"\\\\])*\"", "\"\"")
            .replaceAll("\\{[^}]*}", " ")
            .replaceAll("\\[[^]]*]", " ")
            .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
            .replaceAll("\\boffset\\s+\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(bare);
    while (m.find()) {
      boolean function = m.group(2) != null;
      if (!function && !KEYWORDS.contains(m.group(1).toLowerCase())) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Names neither documented (a histogram's series by their family) nor the SDK's. */
  static Set<String> undocumented(Set<String> used, Set<String> documented) {
    Set<String> missing = new TreeSet<>();
    for (String name : used) {
      String family = name.replaceFirst("_(bucket|count|sum)$", "");
      if (!name.startsWith("temporal_")
          && !documented.contains(name)
          && !documented.contains(family)) {
        missing.add(name);
      }
    }
    return missing;
  }

  /**
   * Every {@code runbooks_*} name that heads a row of runbooks/metrics.md's tables of what the
   * worker emits (a name the alert table only watches does not count).
   */
  private static Set<String> documentedMetrics() throws IOException {
    Set<String> names = new TreeSet<>();
    Matcher m =
        Pattern.compile("(?m)^\\| `(runbooks_[a-z0-9_]+)")
            .matcher(Files.readString(ROOT.resolve("runbooks/metrics.md")));
    while (m.find()) {
      names.add(m.group(1));
    }
    return names;
  }
}
