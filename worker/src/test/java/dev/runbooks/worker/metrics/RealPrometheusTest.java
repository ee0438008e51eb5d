package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalPrometheus;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.backup.BackupRequest;
import dev.runbooks.workflows.backup.BackupResult;
import dev.runbooks.workflows.backup.BackupWorkflow;
import dev.runbooks.workflows.shared.RunbookRequest;
import io.temporal.client.WorkflowOptions;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 of the observability issue with a real Prometheus (the Debian package's server): it
 * scrapes a worker's endpoint with the shipped alert rules loaded, and after a real backup of a
 * real PostgreSQL its query API answers the backup's start for the target.
 */
class RealPrometheusTest {
  private static final String TARGET = "ledger-prom";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Generous: on a machine shared by several builds a scrape or a rule evaluation may lag. */
  private static final Duration PATIENCE = Duration.ofMinutes(2);

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir Path dir;

  @Test
  void prometheusScrapesTheNewestBackupsStartAndLoadsTheShippedRulesHealthy() throws Exception {
    pg.primary().execute("postgres", "CREATE DATABASE ledger");
    pg.primary()
        .execute(
            "ledger",
            "CREATE TABLE entries (id bigserial PRIMARY KEY, cents int)",
            "INSERT INTO entries (cents) SELECT g FROM generate_series(1, 500) g");
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  "
                + TARGET
                + ":\n    primary: { host: 127.0.0.1, port: "
                + pg.primary().port()
                + ", database: ledger }\n    admin: { user: postgres }\n"
                + "repository: file://"
                + dir.resolve("repository")
                + "\nencryption: local-keyset:"
                + dir.resolve("keys/backup-keyset.json")
                + "\n");
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    Path prometheusDir = Files.createDirectories(dir.resolve("prometheus"));
    String newest = "runbooks_backup_newest_timestamp_seconds{target=\"" + TARGET + "\"}";

    try (EmbeddedRunbooks runbooks = EmbeddedRunbooks.start(0, config, "prom-test");
        RunbooksMetrics metrics =
            RunbooksMetrics.forConfig(
                ConfigSource.fixed(config), Duration.ofMillis(500), Duration.ofSeconds(5));
        MetricsEndpoint endpoint =
            MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics);
        LocalPrometheus prometheus =
            LocalPrometheus.start(
                prometheusDir, List.of("127.0.0.1:" + endpoint.port()), shippedRuleFiles())) {
      // Before any backup the series is there and says "never" (0): Prometheus really scrapes.
      assertEquals(0.0, awaitValue(prometheus, newest, v -> true), prometheus.log());

      BackupResult backup =
          runbooks
              .connection()
              .client()
              .newWorkflowStub(
                  BackupWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId("backup-" + TARGET + "-prom-test")
                      .setTaskQueue("prom-test")
                      .setWorkflowExecutionTimeout(Duration.ofMinutes(10))
                      .build())
              .run(
                  new BackupRequest(
                      new RunbookRequest(TARGET, "tester", false, Duration.ofHours(1)),
                      true,
                      null));

      double start = backup.backup().startedAt().toEpochMilli() / 1000.0;
      assertEquals(start, awaitValue(prometheus, newest, v -> v != 0), 0.0005, prometheus.log());
      assertEquals(
          start,
          awaitValue(
              prometheus,
              "runbooks_backup_newest_verified_timestamp_seconds{target=\"" + TARGET + "\"}",
              v -> v != 0),
          0.0005,
          "the backup's drill passed: " + backup.drill());
      assertEquals(
          1.0,
          awaitValue(prometheus, "runbooks_backups{target=\"" + TARGET + "\"}", v -> v != 0),
          prometheus.log());

      JsonNode rules = awaitHealthyRules(prometheus);
      Set<String> loaded = new TreeSet<>();
      for (JsonNode group : rules.path("data").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          assertEquals("ok", rule.path("health").asText(), rule.toString());
          loaded.add(rule.path("name").asText());
        }
      }
      assertEquals(shippedAlertNames(), loaded, rules.toString());
    }
  }

  /** The instant value of {@code query} once it matches {@code accepted}, within the patience. */
  private static double awaitValue(
      LocalPrometheus prometheus, String query, Predicate<Double> accepted)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    String last = "";
    while (System.nanoTime() < deadline) {
      last =
          prometheus.get("/api/v1/query?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8));
      JsonNode result = JSON.readTree(last).path("data").path("result");
      if (result.size() == 1) {
        double value = Double.parseDouble(result.get(0).path("value").get(1).asText());
        if (accepted.test(value)) {
          return value;
        }
      }
      Thread.sleep(500);
    }
    throw new AssertionError(
        "Prometheus did not answer " + query + " as expected in " + PATIENCE + "; last: " + last);
  }

  /** /api/v1/rules once every rule has been evaluated (health leaves "unknown"). */
  private static JsonNode awaitHealthyRules(LocalPrometheus prometheus)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + PATIENCE.toNanos();
    JsonNode rules = null;
    while (System.nanoTime() < deadline) {
      rules = JSON.readTree(prometheus.get("/api/v1/rules"));
      // Prometheus loads its rule files before it reports ready: no groups means none loaded.
      assertTrue(rules.path("data").path("groups").size() > 0, "no rules loaded: " + rules);
      boolean evaluated = true;
      for (JsonNode group : rules.path("data").path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          evaluated &= !rule.path("health").asText().equals("unknown");
        }
      }
      if (evaluated) {
        return rules;
      }
      Thread.sleep(500);
    }
    throw new AssertionError("the rules were not all evaluated in " + PATIENCE + ": " + rules);
  }

  private static List<Path> shippedRuleFiles() throws IOException {
    try (Stream<Path> files = Files.list(AlertRulesTest.ALERTS)) {
      return files
          .filter(p -> p.toString().endsWith(".yml") && !p.toString().endsWith(".test.yml"))
          .sorted()
          .toList();
    }
  }

  private static Set<String> shippedAlertNames() throws IOException {
    Set<String> names = new TreeSet<>();
    for (Path file : shippedRuleFiles()) {
      for (JsonNode group : new YAMLMapper().readTree(file.toFile()).path("groups")) {
        for (JsonNode rule : group.path("rules")) {
          names.add(rule.has("alert") ? rule.path("alert").asText() : rule.path("record").asText());
        }
      }
    }
    assertTrue(!names.isEmpty(), "no rules in " + AlertRulesTest.ALERTS);
    return names;
  }
}
