package dev.runbooks.workflows.pitr;

import io.temporal.activity.ActivityInterface;
import java.time.Duration;

/** The side effects of a PITR drill. Only the marker touches the production server. */
@ActivityInterface
public interface PitrDrillActivities {
  /**
   * Writes a marker row, {@code pg_create_restore_point(drillId)} and a second marker on the
   * primary; reads the row counts and objects as of the restore point. Run again, it reuses the
   * markers already written.
   */
  PitrMarker writeDrillMarker(PitrDrillInput input);

  /**
   * Waits (bounded, heartbeating) until the WAL archive holds the WAL up to the marker's end;
   * returns how long after the marker that was: the archive's lag, the RPO.
   */
  Duration awaitDrillArchived(PitrDrillRun run);

  /**
   * Restores the newest base backup + WAL to the restore point into a scratch cluster on this
   * worker's host, checks it (pg_verifybackup, the markers, objects and row counts, pg_amcheck),
   * and removes it.
   */
  PitrDrillCheck drillPointInTime(PitrDrillRun run);

  /** Records the verdict beside the base backup ({@code pitr-drill.json}). */
  void recordPitrVerdict(PitrVerdictInput input);
}
