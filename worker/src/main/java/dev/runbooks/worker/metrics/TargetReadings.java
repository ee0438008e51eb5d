package dev.runbooks.worker.metrics;

import dev.runbooks.activities.backup.BackupCatalogs;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKeys;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.pitr.WalArchiveFigures;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.worker.Activities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.shared.FailureType;
import java.time.Clock;
import java.util.Set;
import java.util.function.Function;

/**
 * What one configuration version's repositories (and primaries, for the WAL archive's lag) say
 * about each of its targets.
 */
final class TargetReadings implements AutoCloseable {
  private final RunbooksConfig config;
  private final BackupTargets targets;
  private final Function<String, BackupCatalog> lister;
  private final KeyEncryptionKey kek;
  private TargetConnections connections;

  TargetReadings(ConfigSource.Version version, Function<RunbooksConfig, BackupTargets> opener) {
    this.config = version.config();
    // Each refresh lists the repositories again; manifests already read are not read again.
    this.targets = ManifestMemo.of(opener.apply(config));
    this.lister = BackupCatalogs.lister(targets);
    this.kek = new ReadOnlyKek(config);
  }

  Set<String> targets() {
    return config.targets().keySet();
  }

  TargetRecoverability read(String target) {
    BackupCatalog catalog = lister.apply(target);
    WalArchiveFigures wal =
        WalArchiveFigures.read(
            targets.repository(target),
            kek,
            () -> connections().primary(target),
            target,
            Clock.systemUTC());
    return TargetRecoverability.of(catalog, wal, config.target(target).walFreshness());
  }

  /** The targets' connections, opened when a WAL archive's lag first needs its primary. */
  private synchronized TargetConnections connections() {
    if (connections == null) {
      connections = new ConfiguredConnections(config, SecretStores.open(config.secrets()));
    }
    return connections;
  }

  @Override
  public void close() {
    targets.close();
  }

  /**
   * The configuration's key, opened on first use (only an archive with timeline history files needs
   * it) and never creating a local keyset: reading metrics must not make a key.
   */
  private static final class ReadOnlyKek implements KeyEncryptionKey {
    private final RunbooksConfig config;
    private KeyEncryptionKey key;

    ReadOnlyKek(RunbooksConfig config) {
      this.config = config;
    }

    private synchronized KeyEncryptionKey key() {
      if (key == null) {
        key =
            KeyEncryptionKeys.open(
                Activities.encryption(config),
                System.getenv(),
                file -> {
                  throw new PermanentBackupException(
                      FailureType.BAD_INPUT,
                      "the backup key "
                          + file
                          + " does not exist; the metrics read WAL with the configured key only");
                });
      }
      return key;
    }

    @Override
    public String keyId() {
      return key().keyId();
    }

    @Override
    public byte[] wrap(byte[] plaintextKeyset) {
      throw new UnsupportedOperationException("the metrics never write backups");
    }

    @Override
    public byte[] unwrap(byte[] wrapped, String keyId) {
      return key().unwrap(wrapped, keyId);
    }
  }
}
