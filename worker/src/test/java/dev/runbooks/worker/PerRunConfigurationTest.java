package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One configuration version per run, whatever happens to the file during the run. */
class PerRunConfigurationTest {
  @TempDir Path dir;

  private static String config(int port) {
    return "targets:\n  orders:\n    primary: { host: db1, port: "
        + port
        + ", database: orders }\n    admin: { user: postgres }\n";
  }

  private static int port(PerRunConfiguration.Generation generation) {
    return generation.version().config().target("orders").primary().port();
  }

  @Test
  void aRunKeepsItsVersionAcrossEditsAndABrokenEditFailsOnlyRunsStartedAfterIt() throws Exception {
    Path file = Files.writeString(dir.resolve("runbooks.yaml"), config(5001));
    ConfigSource source = ConfigSource.reloading(ConfigLoader.load(file, Map.of()), Map.of());
    PerRunConfiguration runs = PerRunConfiguration.over(source, v -> List.of(new Object()));

    PerRunConfiguration.Generation early = runs.forRun("early");
    assertEquals(5001, port(early));

    Files.writeString(file, config(5002));
    assertSame(early, runs.forRun("early"), "a run in flight keeps the version it began with");
    PerRunConfiguration.Generation late = runs.forRun("late");
    assertEquals(5002, port(late));
    assertFalse(early.version().digest().equals(late.version().digest()));

    Files.writeString(file, "targets:\n  orders:\n    primary: { host: db1, port: nope }\n");
    assertSame(early, runs.forRun("early"));
    assertSame(late, runs.forRun("late"));
    ApplicationFailure failure = assertThrows(ApplicationFailure.class, () -> runs.forRun("new"));
    assertEquals(FailureType.BAD_INPUT.name(), failure.getType());
    assertTrue(failure.isNonRetryable());
    String message = failure.getOriginalMessage();
    assertTrue(message.contains("no longer loads since it was edited"), message);
    assertTrue(message.contains(file.toString()), message);
    assertTrue(message.contains("port"), message);
    assertTrue(message.contains("digest " + late.version().digest()), message);
  }

  @Test
  void aConfigurationThatCannotBeUsedStopsTheStart() throws Exception {
    Path file = Files.writeString(dir.resolve("runbooks.yaml"), config(5001));
    ConfigSource source = ConfigSource.reloading(ConfigLoader.load(file, Map.of()), Map.of());
    ConfigException refused = new ConfigException(file, "secrets", "cannot open", "fix it");
    assertThrows(
        ConfigException.class,
        () ->
            PerRunConfiguration.over(
                source,
                v -> {
                  throw refused;
                }));
  }
}
