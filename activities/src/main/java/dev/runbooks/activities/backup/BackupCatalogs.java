package dev.runbooks.activities.backup;

import dev.runbooks.workflows.backup.BackupCatalog;
import java.util.Objects;
import java.util.function.Function;

/**
 * A target's backup listing read straight from its repository, outside any activity: the worker's
 * metrics endpoint derives recoverability from it, so the figures are the repository's after a
 * restart and the same on every worker.
 */
public final class BackupCatalogs {
  private BackupCatalogs() {}

  /** Lists a target's backups as {@code runbook backups} does; failures as the activity's. */
  public static Function<String, BackupCatalog> lister(BackupTargets targets) {
    Objects.requireNonNull(targets, "targets");
    return new CatalogStage(targets)::listBackups;
  }
}
