package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.testing.LocalPrometheus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The shipped alert rules (runbooks/alerts) are valid and pass their promtool unit tests. */
class AlertRulesTest {
  static final Path ALERTS = repositoryRoot().resolve("runbooks/alerts");

  @Test
  void everyRuleFileIsValidAndEveryAlertIsUnitTested() throws Exception {
    List<Path> rules =
        files(".yml").stream().filter(p -> !p.toString().endsWith(".test.yml")).toList();
    assertTrue(!rules.isEmpty(), "no rule files in " + ALERTS);
    for (Path file : rules) {
      LocalPrometheus.Result check =
          LocalPrometheus.promtool(ALERTS, "check", "rules", file.getFileName().toString());
      assertEquals(0, check.code(), check.output());
      String tests = file.getFileName().toString().replace(".yml", ".test.yml");
      String testText = Files.readString(ALERTS.resolve(tests));
      for (String line : Files.readAllLines(file)) {
        String trimmed = line.trim();
        if (trimmed.startsWith("- alert: ")) {
          String alert = trimmed.substring("- alert: ".length());
          assertTrue(testText.contains("alertname: " + alert), alert + " has no test in " + tests);
        }
      }
    }
  }

  @Test
  void theAlertRulesPassTheirPromtoolUnitTests() throws Exception {
    for (Path test : files(".test.yml")) {
      LocalPrometheus.Result result =
          LocalPrometheus.promtool(ALERTS, "test", "rules", test.getFileName().toString());
      assertEquals(0, result.code(), result.output());
      assertTrue(result.output().contains("SUCCESS"), result.output());
    }
  }

  private static List<Path> files(String suffix) throws IOException {
    try (Stream<Path> files = Files.list(ALERTS)) {
      return files.filter(p -> p.toString().endsWith(suffix)).sorted().toList();
    }
  }

  private static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("runbooks/alerts"))
          && Files.isRegularFile(dir.resolve("mvnw"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("no runbooks/alerts above " + Path.of("").toAbsolutePath());
  }
}
