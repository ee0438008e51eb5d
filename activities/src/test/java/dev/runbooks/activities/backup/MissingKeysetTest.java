package dev.runbooks.activities.backup;

import static dev.runbooks.activities.backup.Harness.backup;
import static dev.runbooks.activities.backup.Harness.drill;
import static dev.runbooks.activities.backup.Harness.failure;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.FileRepository;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;
import dev.runbooks.workflows.backup.RetentionPolicy;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A keyset moved away from a repository that holds backups (issue 11, item 1): no new keyset is
 * made, the drill is a configuration error naming the key the backups need, the backup's verdict is
 * untouched, retention keeps it, and with the keyset back it restores.
 */
class MissingKeysetTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  private static final String T = "keyshop";
  private static final String A = "20261124T020000Z-aaaa";
  private static final String B = "20261125T020000Z-bbbb";

  @TempDir Path dir;

  private Path keyset;
  private FileRepository repository;
  private FixedTargets targets;
  private Harness harness;

  @BeforeAll
  static void databases() throws Exception {
    SampleDatabases.createShop(pg.primary(), T);
    BackupCipher.warmUp();
  }

  @BeforeEach
  void setUp() {
    keyset = dir.resolve("keys/keyset.json");
    repository = new FileRepository(dir.resolve("repository"));
    targets =
        new FixedTargets(Set.of(T), repository, new RetentionPolicy(1, 0, 0), Duration.ofHours(26));
    KeyEncryptionKey configured = new ConfiguredKeyset();
    harness =
        new Harness(
            new ClusterConnections(pg.primary(), Map.of(T, T)),
            targets,
            configured,
            configured,
            pg.primary().binaries(),
            Clock.systemUTC());
  }

  @AfterEach
  void tearDown() {
    harness.close();
  }

  @Test
  void aMovedKeysetIsAConfigurationErrorThatNeverCostsABackup() throws Exception {
    harness.backups.dumpDatabase(backup(T, A));
    String neededKey = openKeyset().keyId();
    RestoreOutcome restored = harness.restores.restoreBackup(drill(T, A, "keyshop_drill_a"));
    Comparison comparison = harness.restores.compareWithManifest(drill(T, A, "keyshop_drill_a"));
    assertTrue(comparison.matches(), comparison::toString);
    harness.restores.recordDrillVerdict(
        new DrillVerdictInput(T, A, true, List.of(), restored.duration(), "drill-keyshop-1"));
    harness.restores.dropRestoredDatabase(drill(T, A, "keyshop_drill_a"));
    byte[] verdict = repository.get(BackupLayout.verdictKey(T, A));

    Path away = dir.resolve("elsewhere.json");
    Files.move(keyset, away);

    ApplicationFailure drill =
        failure(() -> harness.restores.restoreBackup(drill(T, A, "keyshop_drill_b")));
    assertEquals("BAD_INPUT", drill.getType());
    assertTrue(drill.getOriginalMessage().contains(neededKey), drill.getOriginalMessage());
    assertTrue(drill.getOriginalMessage().contains(keyset.toString()), drill.getOriginalMessage());
    assertFalse(Files.exists(keyset), "a new keyset was made in front of existing backups");
    assertArrayEquals(verdict, repository.get(BackupLayout.verdictKey(T, A)));

    ApplicationFailure nextBackup = failure(() -> harness.backups.dumpDatabase(backup(T, B)));
    assertEquals("BAD_INPUT", nextBackup.getType());
    assertTrue(
        nextBackup.getOriginalMessage().contains(neededKey), nextBackup.getOriginalMessage());
    assertFalse(Files.exists(keyset));
    harness.backups.discardIncompleteBackup(backup(T, B));

    Files.move(away, keyset);
    harness.backups.dumpDatabase(backup(T, B));
    RetentionOutcome retention =
        harness.backups.applyRetention(
            new RetentionInput(T, new RetentionPolicy(1, 0, 0), List.of(B), "k/retention"));
    assertEquals(List.of(), retention.deleted());
    harness.restores.restoreBackup(drill(T, A, "keyshop_drill_c"));
    assertTrue(harness.restores.compareWithManifest(drill(T, A, "keyshop_drill_c")).matches());
    harness.restores.dropRestoredDatabase(drill(T, A, "keyshop_drill_c"));
  }

  private LocalKeysetKek openKeyset() {
    return LocalKeysetKek.open(keyset, new NewKeysetGuard(targets, Set.of(T)));
  }

  /**
   * The configured key as a worker opens it: on first use, so every call here is a worker that just
   * started.
   */
  private final class ConfiguredKeyset implements KeyEncryptionKey {
    @Override
    public String keyId() {
      return openKeyset().keyId();
    }

    @Override
    public byte[] wrap(byte[] plaintextKeyset) {
      return openKeyset().wrap(plaintextKeyset);
    }

    @Override
    public byte[] unwrap(byte[] wrapped, String keyId) {
      return openKeyset().unwrap(wrapped, keyId);
    }
  }
}
