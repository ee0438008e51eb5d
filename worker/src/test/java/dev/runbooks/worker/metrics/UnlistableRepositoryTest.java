package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A repository that accepts a connection and never answers (a hung S3 endpoint): the scrape still
 * answers within its budget, the target marked by the error gauge.
 */
class UnlistableRepositoryTest {
  @TempDir Path dir;

  @Test
  void aHungRepositoryGivesAnErrorGaugeWithinTheScrapeBudget() throws Exception {
    try (SilentServer silent = new SilentServer()) {
      Path file =
          Files.writeString(
              dir.resolve("runbooks.yaml"),
              "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n"
                  + "repository: s3://backups/runbooks?endpoint=http://127.0.0.1:"
                  + silent.port()
                  + "\n");
      RunbooksConfig config =
          ConfigLoader.load(
              file,
              Map.of(
                  "AWS_ACCESS_KEY_ID", "test-key",
                  "AWS_SECRET_ACCESS_KEY", "test-secret",
                  "AWS_REGION", "us-east-1"));
      Duration budget = Duration.ofSeconds(2);
      try (RunbooksMetrics metrics =
              RunbooksMetrics.forConfig(ConfigSource.fixed(config), Duration.ZERO, budget);
          MetricsEndpoint endpoint =
              MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics)) {
        long start = System.nanoTime();
        String text = Scrapes.scrape(endpoint.port(), Duration.ofSeconds(30));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(
            took.compareTo(budget.plusSeconds(3)) < 0, "the scrape took " + took + ":\n" + text);
        assertEquals(
            "1.0",
            Scrapes.samples(text, "runbooks_recoverability_error")
                .get("runbooks_recoverability_error{target=\"orders\"}"),
            text);
        assertTrue(
            Scrapes.samples(text, "runbooks_backups{").values().stream()
                .allMatch(v -> v.equals("NaN")),
            text);
      }
    }
  }
}
