package dev.runbooks.activities.backup;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.RetentionPolicy;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup targets looked up in runbooks.yaml. */
class BackupTargetsTest {
  @TempDir Path dir;

  private RunbooksConfig config(String extra) throws IOException {
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { database: orders }\n"
            + "    admin: { user: postgres }\n"
            + "    backupFreshness: PT26H\n"
            + "  billing:\n"
            + "    primary: { database: billing }\n"
            + "    admin: { user: postgres }\n"
            + "    retention: { keepLast: 2 }\n"
            + extra);
    return ConfigLoader.load(file, Map.of());
  }

  @Test
  void opensTheConfiguredRepositoryOnceOnFirstUse() throws IOException {
    try (BackupTargets targets = BackupTargets.fromConfig(config("repository: file://backups\n"))) {
      BackupRepository repository = targets.repository("orders");
      FileRepository file = assertInstanceOf(FileRepository.class, repository);
      assertEquals(dir.resolve("backups"), file.root());
      assertSame(repository, targets.repository("billing"));
      assertEquals(Duration.ofHours(26), targets.freshness("orders"));
      assertNull(targets.freshness("billing"));
      assertEquals(RetentionPolicy.keepEverything(), targets.retention("orders"));
      assertEquals(new RetentionPolicy(2, 0, 0), targets.retention("billing"));
    }
  }

  @Test
  void refusesAnUnknownTargetNamingTheKnownOnes() throws IOException {
    BackupTargets targets = BackupTargets.fromConfig(config("repository: file://backups\n"));
    ApplicationFailure f = assertThrows(ApplicationFailure.class, () -> targets.repository("x"));
    assertEquals("BAD_INPUT", f.getType());
    assertTrue(f.getOriginalMessage().contains("known targets: orders, billing"));
  }

  @Test
  void saysWhenNoRepositoryIsConfigured() throws IOException {
    BackupTargets targets = BackupTargets.fromConfig(config(""));
    ApplicationFailure f =
        assertThrows(ApplicationFailure.class, () -> targets.repository("orders"));
    assertEquals("BAD_INPUT", f.getType());
    assertTrue(f.isNonRetryable());
    assertTrue(
        f.getOriginalMessage().contains("no backup repository is configured"),
        f.getOriginalMessage());
    assertTrue(f.getOriginalMessage().contains("repository: s3://BUCKET/PREFIX"));
  }
}
