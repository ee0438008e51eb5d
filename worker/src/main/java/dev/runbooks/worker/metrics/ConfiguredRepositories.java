package dev.runbooks.worker.metrics;

import dev.runbooks.activities.backup.BackupTargets;
import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The targets and repositories of the configuration as the file is now: an edit (a new or removed
 * target, another repository) shows in the next scrape, as it does in the next run. The repository
 * of a version that was replaced is closed as soon as no listing still reads it, and the one in
 * force is closed with the metrics.
 */
final class ConfiguredRepositories implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ConfiguredRepositories.class);

  private final ConfigSource source;
  private final Function<RunbooksConfig, BackupTargets> opener;
  private Opened current;
  private boolean closed;

  ConfiguredRepositories(ConfigSource source) {
    this(source, BackupTargets::fromConfig);
  }

  /** With {@code opener} making each version's repositories (tests watch them close). */
  ConfiguredRepositories(ConfigSource source, Function<RunbooksConfig, BackupTargets> opener) {
    this.source = Objects.requireNonNull(source, "source");
    this.opener = Objects.requireNonNull(opener, "opener");
  }

  synchronized Set<String> targets() {
    return refresh().readings.targets();
  }

  TargetRecoverability read(String target) {
    Opened opened;
    synchronized (this) {
      opened = refresh();
      opened.users++;
    }
    try {
      return opened.readings.read(target);
    } finally {
      release(opened);
    }
  }

  private Opened refresh() {
    if (closed) {
      throw new IllegalStateException("the worker's metrics are closed");
    }
    ConfigSource.Version version;
    try {
      version = source.current();
    } catch (ConfigException e) {
      // A broken edit: runs keep the last good version, and so do the metrics.
      log.warn("metrics: {}; reading the last good configuration", e.getMessage());
      version = source.latest();
    }
    if (current == null || !current.digest.equals(version.digest())) {
      Opened previous = current;
      current = new Opened(version.digest(), new TargetReadings(version, opener));
      if (previous != null) {
        retire(previous);
      }
    }
    return current;
  }

  private synchronized void release(Opened opened) {
    opened.users--;
    closeIfDone(opened);
  }

  private void retire(Opened opened) {
    opened.retired = true;
    closeIfDone(opened);
  }

  private static void closeIfDone(Opened opened) {
    if (opened.retired && opened.users == 0) {
      opened.readings.close();
    }
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (current != null) {
      retire(current);
      current = null;
    }
  }

  /** One configuration version's readings, and the listings still using them. */
  private static final class Opened {
    final String digest;
    final TargetReadings readings;
    int users;
    boolean retired;

    Opened(String digest, TargetReadings readings) {
      this.digest = digest;
      this.readings = readings;
    }
  }
}
