package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;
import java.time.Clock;
import java.util.Objects;

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

  public BackupActivitiesImpl(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey kek,
      PgBinaries binaries,
      Clock clock) {
    Objects.requireNonNull(connections, "connections");
    Objects.requireNonNull(targets, "targets");
    Objects.requireNonNull(kek, "kek");
    Objects.requireNonNull(clock, "clock");
    PgTool tools = new PgTool(Objects.requireNonNull(binaries, "binaries"));
    this.store = new StoreStage(targets, new DumpStage(connections, kek, tools, clock));
    this.retention = new RetentionStage(targets, clock);
    this.catalog = new CatalogStage(targets);
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
