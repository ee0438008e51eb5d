package dev.runbooks.activities.backup;

import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;

/**
 * The backup runbook's side effects, one stage per step: {@link DumpStage} (an encrypted, streamed
 * {@code pg_dump -Fc} with its manifest, written last), {@link StoreStage} (a complete backup kept
 * as it is, an incomplete one's leftovers removed), {@link RetentionStage} and {@link
 * CatalogStage}.
 */
public final class BackupActivitiesImpl implements BackupActivities {
  private final StoreStage store;
  private final RetentionStage retention;
  private final CatalogStage catalog;

  public BackupActivitiesImpl(BackupWiring wiring) {
    this.store =
        new StoreStage(
            wiring.targets(),
            new DumpStage(wiring.connections(), wiring.kek(), wiring.tools(), wiring.clock()),
            wiring.kek());
    this.retention = new RetentionStage(wiring.targets(), wiring.clock());
    this.catalog = new CatalogStage(wiring.targets());
  }

  @Override
  public BackupSummary dumpDatabase(BackupInput input) {
    return store.dumpDatabase(input);
  }

  @Override
  public void discardIncompleteBackup(BackupInput input) {
    store.discardIncompleteBackup(input);
  }

  @Override
  public RetentionOutcome applyRetention(RetentionInput input) {
    return retention.applyRetention(input);
  }

  @Override
  public BackupCatalog listBackups(String target) {
    return catalog.listBackups(target);
  }
}
