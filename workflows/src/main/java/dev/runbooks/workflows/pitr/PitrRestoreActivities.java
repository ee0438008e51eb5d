package dev.runbooks.workflows.pitr;

import io.temporal.activity.ActivityInterface;

/** The side effects of a point-in-time restore, on the worker's host. */
@ActivityInterface
public interface PitrRestoreActivities {
  /**
   * Picks the newest base backup before the target and the WAL it needs. Refuses (BAD_INPUT, with
   * the restorable window) a target before the earliest restorable point, in the future or past the
   * archive's end, and an {@code intoCluster} that is not empty.
   */
  PitrPlan planPitrRestore(PitrRestoreInput input);

  /**
   * Fetches and decrypts the base backup and exactly the WAL the plan names into the worker's host,
   * starts PostgreSQL in recovery to the target, promotes it there and reports the point reached.
   * The cluster keeps running. Heartbeats while it works.
   */
  PitrRestoreOutcome restoreToPoint(PitrRestoreInput input);
}
