package dev.runbooks.activities.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.repository.BackupRepositories;
import dev.runbooks.activities.backup.repository.BackupRepository;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What reading repository, secrets and encryption once, at load, into typed specs settles. */
class TypedSpecsTest {
  @TempDir Path dir;

  private RunbooksConfig load(String settings) throws Exception {
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: db1, database: orders }\n"
            + "    admin: { user: postgres }\n"
            + settings);
    return ConfigLoader.load(file, Map.of());
  }

  @Test
  void readsS3OptionsAfterABucketWithoutAPrefix() throws Exception {
    RunbooksConfig config = load("repository: s3://backups?region=eu-west-1\n");
    assertEquals("s3://backups?region=eu-west-1", config.repository().uri());
  }

  @Test
  void neverRepeatsCredentialsWrittenIntoTheBucket() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () -> load("repository: s3://AKIAEXAMPLE:s3cr3t@backups/prod\n"));
    assertEquals("repository", e.key());
    assertFalse(e.getMessage().contains("s3cr3t"), e.getMessage());
    assertTrue(e.getMessage().contains("AWS default chain"), e.getMessage());
  }

  @Test
  void refusesAVaultMountOfOnlySlashesWhenLoadingRatherThanWhenOpening() {
    ConfigException e = assertThrows(ConfigException.class, () -> load("secrets: vault:///\n"));
    assertEquals("secrets", e.key());
    assertTrue(e.problem().contains("vault://MOUNT"), e.problem());
  }

  @Test
  void opensAFileRepositoryWhosePathHasASpace() throws Exception {
    Path backups = Files.createDirectories(dir.resolve("my backups"));
    RunbooksConfig config = load("repository: \"file://" + backups + "\"\n");
    try (BackupRepository repository = BackupRepositories.open(config.repository(), Map.of())) {
      repository.put("orders/1/manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
    }
    assertTrue(Files.exists(backups.resolve("orders/1/manifest.json")));
  }
}
