package dev.runbooks.worker;

import dev.runbooks.workflows.backup.BackupActivities;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupInput;
import dev.runbooks.workflows.backup.BackupSummary;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.backup.RetentionInput;
import dev.runbooks.workflows.backup.RetentionOutcome;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;

/**
 * Stands in for the backup and restore activities on a worker that found no {@code pg_dump} and
 * {@code pg_restore}: the worker still serves the other runbooks, and a backup run fails at once,
 * saying what to install, instead of waiting for activities nobody registered.
 */
final class MissingPgTools implements BackupActivities, RestoreActivities {
  private final String problem;

  /**
   * @param problem why the tools were not found and how to install them
   */
  MissingPgTools(String problem) {
    this.problem = problem;
  }

  private ApplicationFailure failure() {
    return FailureType.BAD_INPUT.failure(
        "this worker has no PostgreSQL client tools, so it cannot back up or restore: "
            + problem
            + "; then restart the worker");
  }

  @Override
  public BackupSummary dumpDatabase(BackupInput input) {
    throw failure();
  }

  @Override
  public void discardIncompleteBackup(BackupInput input) {
    throw failure();
  }

  @Override
  public RetentionOutcome applyRetention(RetentionInput input) {
    throw failure();
  }

  @Override
  public BackupCatalog listBackups(String target) {
    throw failure();
  }

  @Override
  public String resolveBackup(DrillRequest request) {
    throw failure();
  }

  @Override
  public RestoreOutcome restoreBackup(RestoreInput input) {
    throw failure();
  }

  @Override
  public Comparison compareWithManifest(RestoreInput input) {
    throw failure();
  }

  @Override
  public void dropRestoredDatabase(RestoreInput input) {
    throw failure();
  }

  @Override
  public void recordDrillVerdict(DrillVerdictInput input) {
    throw failure();
  }
}
