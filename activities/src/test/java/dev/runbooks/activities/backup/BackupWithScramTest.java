package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.drill;
import static dev.runbooks.activities.backup.Harness.failure;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.ActivityProgress;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activities wired as the worker wires them: configuration, the secret store, real SCRAM
 * logins. pg_dump and pg_restore get the password through their environment, and it shows up
 * nowhere: not in the repository, not in a heartbeat, not in a failure.
 */
class BackupWithScramTest {
  private static final String PASSWORD = "scram-Pw-for-pg_dump-5521";
  private static final String WRONG = "not-it-Pw-7730";

  @RegisterExtension
  static final PostgresExtension pg = PostgresExtension.newPrimary().withScram(PASSWORD);

  @TempDir Path dir;

  @BeforeAll
  static void databases() throws Exception {
    SampleDatabases.createShop(pg.primary(), "shop");
  }

  private Harness harness(String password, FileRepository repository) throws Exception {
    FileSecretStore secrets = new FileSecretStore(dir.resolve("secrets.json"));
    secrets.write(
        "db/orders/admin",
        Map.of("username", "postgres", "password", password),
        OptionalInt.empty());
    Path file = dir.resolve("runbooks.yaml");
    Files.writeString(
        file,
        "targets:\n"
            + "  orders:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + pg.primary().port()
            + ", database: shop, sslmode: disable }\n"
            + "    admin: { secret: db/orders/admin }\n"
            + "    retention: { keepLast: 3 }\n");
    RunbooksConfig config = ConfigLoader.load(file, Map.of());
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    BackupTargets targets = BackupTargets.of(config, repository);
    assertEquals(new RetentionPolicy(3, 0, 0), targets.retention("orders"));
    return new Harness(
        new ConfiguredConnections(config, secrets),
        targets,
        kek,
        kek,
        pg.primary().binaries(),
        Clock.systemUTC());
  }

  @Test
  void backsUpAndRestoresWithTheStoredPasswordAndShowsItNowhere() throws Exception {
    FileRepository repository = new FileRepository(dir.resolve("repository"));
    String id = "20261124T020000Z-scram";
    try (Harness h = harness(PASSWORD, repository)) {
      BackupSummary summary = h.backups.dumpDatabase(backup("orders", id));
      h.restores.restoreBackup(drill("orders", id, "shop_scram"));
      Comparison comparison = h.restores.compareWithManifest(drill("orders", id, "shop_scram"));
      h.restores.dropRestoredDatabase(drill("orders", id, "shop_scram"));

      assertTrue(comparison.matches(), comparison::toString);
      assertEquals(summary.rows(), comparison.rowsCompared());
      for (ActivityProgress p : h.heartbeats) {
        assertFalse(p.toString().contains(PASSWORD), p.toString());
      }
      assertFalse(summary.toString().contains(PASSWORD));
    }
    for (Path file : files(repository.root())) {
      assertFalse(
          BackupRestoreTest.contains(Files.readAllBytes(file), PASSWORD),
          "the password is in " + file);
    }
  }

  @Test
  void aRejectedPasswordIsAnAuthenticationFailureBeforeAnythingIsStored() throws Exception {
    FileRepository repository = new FileRepository(dir.resolve("repository"));
    try (Harness h = harness(WRONG, repository)) {
      ApplicationFailure f =
          failure(() -> h.backups.dumpDatabase(backup("orders", "20261124T030000Z-denied")));

      assertEquals("AUTHENTICATION", f.getType());
      assertTrue(f.isNonRetryable());
      assertTrue(f.getOriginalMessage().contains("db/orders/admin"), f.getOriginalMessage());
      assertFalse(f.getOriginalMessage().contains(WRONG), f.getOriginalMessage());
      assertFalse(f.getOriginalMessage().contains(PASSWORD), f.getOriginalMessage());
    }
    assertEquals(List.of(), repository.list(""));
  }

  private static List<Path> files(Path root) throws Exception {
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile).toList();
    }
  }
}
