package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import java.time.Clock;
import java.util.Objects;

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

  public RestoreActivitiesImpl(
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
    this.cleanup = new CleanupStage(connections);
    this.resolve = new ResolveStage(targets);
    this.restore = new RestoreStage(connections, targets, kek, tools, cleanup);
    this.compare = new CompareStage(connections, targets);
    this.verdict = new VerdictStage(targets, clock);
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
