package dev.runbooks.worker.metrics;

import dev.runbooks.activities.backup.BackupCatalogs;
import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.workflows.backup.BackupCatalog;
import java.util.Set;
import java.util.function.Function;

/**
 * The targets and repository listings of the configuration in force: an edit of the file (a new
 * target, another repository) shows in the next scrape, as it does in the next run.
 */
final class ConfiguredRepositories implements AutoCloseable {
  private final ConfigSource source;
  private String digest;
  private BackupTargets targets;
  private Function<String, BackupCatalog> lister;

  ConfiguredRepositories(ConfigSource source) {
    this.source = source;
  }

  synchronized Set<String> targets() {
    return version().config().targets().keySet();
  }

  BackupCatalog list(String target) {
    Function<String, BackupCatalog> current;
    synchronized (this) {
      version();
      current = lister;
    }
    return current.apply(target);
  }

  private ConfigSource.Version version() {
    ConfigSource.Version version = source.latest();
    if (!version.digest().equals(digest)) {
      // The old repository stays open: a listing may still be reading it; the GC has it after.
      targets = BackupTargets.fromConfig(version.config());
      lister = BackupCatalogs.lister(targets);
      digest = version.digest();
    }
    return version;
  }

  @Override
  public synchronized void close() {
    if (targets != null) {
      targets.close();
    }
  }
}
