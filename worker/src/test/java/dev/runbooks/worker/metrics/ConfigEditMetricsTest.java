package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An edit of runbooks.yaml as the metrics see it: a removed target leaves the endpoint on the next
 * scrape, and the repositories of a replaced version are closed, as are those in force when the
 * metrics close.
 */
class ConfigEditMetricsTest {
  @TempDir Path dir;

  @Test
  void aTargetRemovedFromTheConfigurationLeavesTheEndpointOnTheNextScrape() throws Exception {
    Path file = write("orders", "billing");
    try (RunbooksMetrics metrics =
        RunbooksMetrics.forConfig(source(file), Duration.ZERO, Duration.ofSeconds(30))) {
      Map<String, String> before = Scrapes.samples(metrics.scrape(), "runbooks_");
      assertEquals(
          "0.0",
          before.get("runbooks_recoverability_error{target=\"billing\"}"),
          before.toString());
      write("orders");
      Map<String, String> after = Scrapes.samples(metrics.scrape(), "runbooks_");
      assertTrue(
          after.keySet().stream().noneMatch(s -> s.contains("target=\"billing\"")),
          "billing is no longer configured but still on the endpoint: " + after);
      assertEquals(
          "0.0", after.get("runbooks_recoverability_error{target=\"orders\"}"), after.toString());
      write("orders", "billing");
      Map<String, String> back = Scrapes.samples(metrics.scrape(), "runbooks_");
      assertEquals(
          "0.0", back.get("runbooks_recoverability_error{target=\"billing\"}"), back.toString());
    }
  }

  @Test
  void theReplacedVersionsRepositoriesCloseOnReloadAndTheLastOnesWithTheMetrics() throws Exception {
    Path file = write("orders");
    List<Watched> opened = new ArrayList<>();
    ConfiguredRepositories repositories =
        new ConfiguredRepositories(
            source(file),
            config -> {
              Watched w = new Watched(BackupTargets.fromConfig(config));
              opened.add(w);
              return w;
            });
    try (RunbooksMetrics metrics =
        RunbooksMetrics.forRepositories(repositories, Duration.ZERO, Duration.ofSeconds(30))) {
      metrics.scrape();
      assertEquals(1, opened.size());
      write("orders", "billing");
      metrics.scrape();
      assertEquals(2, opened.size(), "the edit was not read");
      assertTrue(opened.get(0).closed, "the first version's repository was left open");
      assertFalse(opened.get(1).closed, "the version in force was closed");
    }
    assertTrue(opened.get(1).closed, "closing the metrics left the repository open");
  }

  private ConfigSource source(Path file) {
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    return ConfigSource.reloading(config, Map.of());
  }

  private Path write(String... targets) throws Exception {
    StringBuilder yaml = new StringBuilder("targets:\n");
    for (String t : targets) {
      yaml.append("  ")
          .append(t)
          .append(": { primary: { database: ")
          .append(t)
          .append(" }, admin: { user: postgres } }\n");
    }
    yaml.append("repository: file://").append(dir.resolve("backups")).append("\n");
    return Files.writeString(dir.resolve("runbooks.yaml"), yaml);
  }

  /** Backup targets that record whether they were closed. */
  private static final class Watched implements BackupTargets {
    final BackupTargets delegate;
    volatile boolean closed;

    Watched(BackupTargets delegate) {
      this.delegate = delegate;
    }

    @Override
    public BackupRepository repository(String target) {
      return delegate.repository(target);
    }

    @Override
    public RetentionPolicy retention(String target) {
      return delegate.retention(target);
    }

    @Override
    public Duration freshness(String target) {
      return delegate.freshness(target);
    }

    @Override
    public void close() {
      closed = true;
      delegate.close();
    }
  }
}
