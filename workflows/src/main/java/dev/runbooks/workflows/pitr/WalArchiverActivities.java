package dev.runbooks.workflows.pitr;

import io.temporal.activity.ActivityInterface;

/** The side effects of the WAL archiver. */
@ActivityInterface
public interface WalArchiverActivities {
  /**
   * Streams the target's WAL from its primary into the archive for {@code input.length()},
   * heartbeating; returns early only when cancelled. Resumes where the archive ends; a failure (the
   * primary gone, a switchover) is retried by the next attempt, which finds the primary anew.
   */
  ArchiveSession archiveWal(ArchiveInput input);

  /** The archive's state now: its window, its lag behind the primary, its gaps, the slot. */
  WalArchiveState describeWalArchive(String target);
}
