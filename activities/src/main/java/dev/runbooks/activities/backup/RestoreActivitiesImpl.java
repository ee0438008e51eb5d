package dev.runbooks.activities.backup;

import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;

/**
 * The side effects of restore drills and incident restores, one stage per step of the drill: {@link
 * ResolveStage} (which backup), {@link RestoreStage} (stream it into a new database), {@link
 * CompareStage} (against the manifest), {@link VerdictStage} (recorded beside the backup) and
 * {@link CleanupStage} (drop only what a restore created).
 */
public final class RestoreActivitiesImpl implements RestoreActivities {
  private final ResolveStage resolve;
  private final RestoreStage restore;
  private final CompareStage compare;
  private final VerdictStage verdict;
  private final CleanupStage cleanup;

  public RestoreActivitiesImpl(BackupWiring wiring) {
    this.cleanup = new CleanupStage(wiring.connections());
    this.resolve = new ResolveStage(wiring.targets());
    this.restore =
        new RestoreStage(
            wiring.connections(), wiring.targets(), wiring.kek(), wiring.tools(), cleanup);
    this.compare = new CompareStage(wiring.connections(), wiring.targets());
    this.verdict = new VerdictStage(wiring.targets(), wiring.clock());
  }

  @Override
  public String resolveBackup(DrillRequest request) {
    return resolve.resolveBackup(request);
  }

  @Override
  public RestoreOutcome restoreBackup(RestoreInput input) {
    return restore.restoreBackup(input);
  }

  @Override
  public Comparison compareWithManifest(RestoreInput input) {
    return compare.compareWithManifest(input);
  }

  /**
   * Drops the database if it exists and a restore created it; a database without a restore's
   * comment is left alone and logged.
   */
  @Override
  public void dropRestoredDatabase(RestoreInput input) {
    cleanup.dropRestoredDatabase(input);
  }

  @Override
  public void recordDrillVerdict(DrillVerdictInput input) {
    verdict.recordDrillVerdict(input);
  }
}
