package dev.runbooks.worker;

import dev.runbooks.activities.backup.BackupActivitiesImpl;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.backup.BackupWiring;
import dev.runbooks.activities.backup.NewKeysetGuard;
import dev.runbooks.activities.backup.RestoreActivitiesImpl;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.check.PoolerCheck;
import dev.runbooks.activities.config.CheckSettings;
import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.failover.FailoverActivitiesImpl;
import dev.runbooks.activities.failover.FailoverTargets;
import dev.runbooks.activities.lock.BackupsInUseActivitiesImpl;
import dev.runbooks.activities.lock.TargetLockActivitiesImpl;
import dev.runbooks.activities.migration.MigrationActivitiesImpl;
import dev.runbooks.activities.migration.MigrationTargets;
import dev.runbooks.activities.migration.SchemaDumps;
import dev.runbooks.activities.pitr.ArchiverWiring;
import dev.runbooks.activities.pitr.PhysicalBackupActivitiesImpl;
import dev.runbooks.activities.pitr.PitrDrillActivitiesImpl;
import dev.runbooks.activities.pitr.PitrRestoreActivitiesImpl;
import dev.runbooks.activities.pitr.WalArchiverActivitiesImpl;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.rotation.RotationActivitiesImpl;
import dev.runbooks.activities.rotation.RotationTargets;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.pgtools.PgBinaries;
import io.temporal.client.WorkflowClient;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The activity objects a worker registers, built in one place from the configuration: the
 * composition root of everything with side effects. A new runbook's activities are added here.
 */
public record Activities(List<Object> implementations) {
  /** The local keyset made beside the configuration when it names no {@code encryption:}. */
  public static final String DEFAULT_KEYSET = "backup-keyset.json";

  private static final Logger log = LoggerFactory.getLogger(Activities.class);

  public Activities {
    implementations = List.copyOf(implementations);
  }

  /**
   * Builds every activity object for a configuration that never changes.
   *
   * @param client the client the target-lock activities talk to the lock workflows through
   * @param taskQueue the queue lock workflows are started on: the worker's own
   * @throws ConfigException when the secret store the configuration names cannot be opened
   */
  public static Activities build(RunbooksConfig config, WorkflowClient client, String taskQueue) {
    return build(ConfigSource.fixed(config), client, taskQueue);
  }

  /**
   * Builds every activity object for the configuration {@code source} gives; when it {@link
   * ConfigSource#reloads() reloads}, each run uses the file as it was when the run started (see
   * {@link PerRunConfiguration}).
   *
   * @throws ConfigException when the secret store the configuration names cannot be opened
   */
  public static Activities build(ConfigSource source, WorkflowClient client, String taskQueue) {
    // Looked up once: backup, migration and failover's rejoin all run the PostgreSQL programs.
    return build(source, client, taskQueue, PgBinaries.find());
  }

  /** As {@link #build(RunbooksConfig, WorkflowClient, String)}, with the binaries given. */
  static Activities build(
      RunbooksConfig config,
      WorkflowClient client,
      String taskQueue,
      Optional<PgBinaries> binaries) {
    return build(ConfigSource.fixed(config), client, taskQueue, binaries);
  }

  /** As {@link #build(ConfigSource, WorkflowClient, String)}, with the binaries given. */
  static Activities build(
      ConfigSource source, WorkflowClient client, String taskQueue, Optional<PgBinaries> binaries) {
    List<Object> all = new ArrayList<>();
    // The locks know no configuration: a broken edit must never keep a run from releasing one.
    all.add(new TargetLockActivitiesImpl(client, taskQueue));
    all.add(new BackupsInUseActivitiesImpl(client));
    if (source.reloads()) {
      all.addAll(PerRunConfiguration.proxies(source, version -> configured(version, binaries)));
    } else {
      all.addAll(configured(source.latest(), binaries));
    }
    return new Activities(all);
  }

  /** The activity objects that read the configuration, for one version of it. */
  static List<Object> configured(ConfigSource.Version version, Optional<PgBinaries> binaries) {
    RunbooksConfig config = version.config();
    SecretStore secrets = openSecrets(config);
    TargetConnections connections = new ConfiguredConnections(config, secrets);
    List<Object> all = new ArrayList<>();
    PoolerCheck poolers =
        new PoolerCheck(t -> config.target(t).failover().pooler(), secrets, binaries);
    all.add(
        new CheckActivitiesImpl(
            connections, thresholds(config.check()), version.describe(), poolers));
    all.addAll(backup(config, connections, binaries));
    all.add(new RotationActivitiesImpl(connections, secrets, RotationTargets.fromConfig(config)));
    all.add(
        new FailoverActivitiesImpl(
            connections, FailoverTargets.fromConfig(config), secrets, binaries, Clock.systemUTC()));
    all.addAll(migration(config, connections, binaries));
    return all;
  }

  /**
   * The backup and restore activities: the configuration's repository (opened on first use, so a
   * worker without one still serves the other runbooks) and key, and the PostgreSQL client tools.
   * Without the tools, the one stand-in for every activity that needs them (backup, restore and
   * migration) that fails each call saying what to install.
   */
  static List<Object> backup(
      RunbooksConfig config, TargetConnections connections, Optional<PgBinaries> binaries) {
    BackupTargets targets = BackupTargets.fromConfig(config);
    KeyEncryptionKey kek =
        new ConfiguredKek(
            encryption(config), new NewKeysetGuard(targets, config.targets().keySet()));
    if (binaries.isEmpty()) {
      String problem;
      try {
        PgBinaries.require();
        problem = "pg_dump and pg_restore were not found. " + PgBinaries.installAdvice();
      } catch (MissingPostgresException e) {
        problem = e.getMessage();
      }
      log.warn(
          "backup, restore-drill, restore, migrate, archive and PITR will fail on this worker: {}",
          problem);
      return List.of(MissingPgTools.standIn(problem));
    }
    BackupWiring wiring =
        BackupWiring.of(connections, targets, kek, binaries.get(), Clock.systemUTC());
    return List.of(
        new BackupActivitiesImpl(wiring),
        new RestoreActivitiesImpl(wiring),
        new WalArchiverActivitiesImpl(
            new ArchiverWiring(
                connections,
                targets,
                kek,
                wiring.tools(),
                SchemaDumps.workerDirectory().resolveSibling("wal-spool"),
                Clock.systemUTC())),
        new PhysicalBackupActivitiesImpl(wiring, PhysicalBackupActivitiesImpl.WAL_WAIT),
        new PitrRestoreActivitiesImpl(wiring, binaries.get()),
        new PitrDrillActivitiesImpl(wiring, binaries.get(), PhysicalBackupActivitiesImpl.WAL_WAIT));
  }

  /**
   * The migration activities; they need pg_dump for the schema comparison, so without the
   * PostgreSQL client tools there are none here: the stand-in {@link #backup} returns then
   * implements them too, failing each call with what to install.
   */
  static List<Object> migration(
      RunbooksConfig config, TargetConnections connections, Optional<PgBinaries> binaries) {
    if (binaries.isEmpty()) {
      return List.of();
    }
    return List.of(
        new MigrationActivitiesImpl(
            connections,
            MigrationTargets.fromConfig(config),
            binaries.get(),
            SchemaDumps.workerDirectory()));
  }

  /**
   * The key backups are encrypted with: the configuration's {@code encryption:}, else a local
   * keyset {@value #DEFAULT_KEYSET} beside the configuration file, made on the first backup.
   */
  public static EncryptionSpec encryption(RunbooksConfig config) {
    if (config.encryption() != null) {
      return config.encryption();
    }
    return new EncryptionSpec.LocalKeyset(config.directory().resolve(DEFAULT_KEYSET));
  }

  /** The configured lag thresholds; the rest are the check's defaults. */
  static CheckThresholds thresholds(CheckSettings settings) {
    CheckThresholds defaults = CheckThresholds.defaults();
    return new CheckThresholds(
        settings.lagWarnBytes(),
        settings.lagCriticalBytes(),
        defaults.lagWarnTime(),
        defaults.connectionsWarnPercent(),
        defaults.connectionsCriticalPercent(),
        settings.slotRetainedWarnBytes());
  }

  private static SecretStore openSecrets(RunbooksConfig config) {
    try {
      return SecretStores.open(config.secrets());
    } catch (IllegalArgumentException | IllegalStateException e) {
      throw new ConfigException(
          config.file(),
          "secrets",
          e.getMessage(),
          "set secrets: to file:///path/secrets.json (or RUNBOOKS_SECRETS), then start again.",
          e);
    }
  }
}
