package dev.runbooks.worker.metrics;

import dev.runbooks.activities.backup.BackupCatalogs;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.backup.BackupCatalog;
import java.util.Set;
import java.util.function.Function;

/** What one configuration version's repositories say about each of its targets. */
final class TargetReadings implements AutoCloseable {
  private final RunbooksConfig config;
  private final BackupTargets targets;
  private final Function<String, BackupCatalog> lister;

  TargetReadings(ConfigSource.Version version, Function<RunbooksConfig, BackupTargets> opener) {
    this.config = version.config();
    this.targets = opener.apply(config);
    this.lister = BackupCatalogs.lister(targets);
  }

  Set<String> targets() {
    return config.targets().keySet();
  }

  TargetRecoverability read(String target) {
    return TargetRecoverability.of(lister.apply(target));
  }

  @Override
  public void close() {
    targets.close();
  }
}
