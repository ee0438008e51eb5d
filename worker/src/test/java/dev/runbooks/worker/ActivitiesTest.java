package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupActivitiesImpl;
import dev.runbooks.activities.backup.RestoreActivitiesImpl;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.pitr.PhysicalBackupActivitiesImpl;
import dev.runbooks.activities.pitr.PitrDrillActivitiesImpl;
import dev.runbooks.activities.pitr.PitrRestoreActivitiesImpl;
import dev.runbooks.activities.pitr.WalArchiverActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.pitr.WalArchiverActivities;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The backup activities' wiring: what a worker registers, and with which key. */
class ActivitiesTest {
  @TempDir Path dir;

  private RunbooksConfig config(String extra) throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n"
                + "repository: file://"
                + dir.resolve("backups")
                + "\n"
                + extra);
    return ConfigLoader.load(file, Map.of());
  }

  private ConfiguredConnections connections(RunbooksConfig config) {
    return new ConfiguredConnections(config, SecretStores.open(config.secrets()));
  }

  @Test
  void aWorkerWithThePostgresToolsRegistersTheBackupAndRestoreActivities() throws IOException {
    RunbooksConfig config = config("");
    List<Object> backup = Activities.backup(config, connections(config), PgBinaries.find());
    assertEquals(6, backup.size(), backup.toString());
    assertTrue(backup.get(0) instanceof BackupActivitiesImpl, backup.toString());
    assertTrue(backup.get(1) instanceof RestoreActivitiesImpl, backup.toString());
    assertTrue(backup.get(2) instanceof WalArchiverActivitiesImpl, backup.toString());
    assertTrue(backup.get(3) instanceof PhysicalBackupActivitiesImpl, backup.toString());
    assertTrue(backup.get(4) instanceof PitrRestoreActivitiesImpl, backup.toString());
    assertTrue(backup.get(5) instanceof PitrDrillActivitiesImpl, backup.toString());
    assertFalse(
        Files.exists(dir.resolve(Activities.DEFAULT_KEYSET)),
        "the key is made by the first backup, not by starting a worker");
  }

  @Test
  void withoutThemEveryBackupActivityFailsSayingWhatToInstall() throws IOException {
    RunbooksConfig config = config("");
    List<Object> backup = Activities.backup(config, connections(config), Optional.empty());
    assertEquals(1, backup.size());
    BackupActivities backups = (BackupActivities) backup.get(0);
    assertTrue(backup.get(0) instanceof WalArchiverActivities, "the archiver fails the same way");
    ApplicationFailure failure =
        assertThrows(
            ApplicationFailure.class,
            () -> backups.dumpDatabase(new BackupInput("orders", "x", "k")));
    assertEquals("BAD_INPUT", failure.getType());
    assertTrue(failure.isNonRetryable());
    assertTrue(
        failure.getOriginalMessage().contains("no PostgreSQL client tools"), failure.getMessage());
    assertThrows(
        ApplicationFailure.class, () -> ((RestoreActivities) backup.get(0)).resolveBackup(null));
  }

  @Test
  void theKeyIsTheConfiguredOneElseALocalKeysetBesideTheConfiguration() throws IOException {
    assertEquals(
        "local-keyset:" + dir.resolve("backup-keyset.json"),
        Activities.encryption(config("")).uri());
    assertEquals(
        "local-keyset:" + dir.resolve("keys/k.json"),
        Activities.encryption(config("encryption: local-keyset:keys/k.json\n")).uri());
  }

  @Test
  void aLocalKeysetIsMadeOnFirstUseAndAnUnavailableKindFailsAsBadInput() {
    Path file = dir.resolve("kek.json");
    ConfiguredKek kek = new ConfiguredKek(new EncryptionSpec.LocalKeyset(file));
    assertFalse(Files.exists(file));
    byte[] wrapped = kek.wrap(new byte[] {1, 2, 3});
    assertTrue(Files.exists(file));
    assertEquals(3, kek.unwrap(wrapped, kek.keyId()).length);

    ConfiguredKek vault = new ConfiguredKek(new EncryptionSpec.VaultTransit("backups"));
    ApplicationFailure failure = assertThrows(ApplicationFailure.class, vault::keyId);
    assertEquals("BAD_INPUT", failure.getType());
    assertTrue(failure.getOriginalMessage().contains("local-keyset:"), failure.getMessage());
  }
}
