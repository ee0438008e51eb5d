package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;

/**
 * A target's WAL archive in numbers, as the repository (and the primary, when it answers) show it
 * now: the worker's metrics, outside any activity, so they are the same after a restart and on
 * every worker.
 *
 * <p>The lag: when the primary answers, its current WAL position against the archive's end (the
 * newest stored segment or {@code .partial}): zero when the archive holds everything the primary
 * wrote, else the time since that newest object was stored (the archive has not moved since). When
 * the primary cannot be read, the time since the newest object was stored: an upper bound, since an
 * idle primary writes nothing to archive. As {@code runbook archive status} computes it.
 *
 * @param archived whether the archive holds any WAL
 * @param windowStart the earliest point a restore can reach: the end of the oldest base backup
 *     whose WAL the archive holds; null when no base backup is restorable
 * @param windowEnd the latest point: when the newest WAL object was stored; null when nothing is
 *     restorable
 * @param lagBytes WAL the primary wrote that the archive lacks; -1 when the primary could not be
 *     read or nothing is archived
 * @param lag null when nothing is archived (infinitely behind)
 */
public record WalArchiveFigures(
    boolean archived, Instant windowStart, Instant windowEnd, long lagBytes, Duration lag) {

  /**
   * Reads the archive of {@code target} in {@code repository}, then asks {@code primary} (opened
   * only when the archive holds WAL) where the primary's WAL is.
   *
   * @throws UncheckedIOException when the repository cannot be read
   */
  public static WalArchiveFigures read(
      BackupRepository repository,
      KeyEncryptionKey kek,
      Callable<Connection> primary,
      String target,
      Clock clock) {
    WalArchive archive = new WalArchive(repository, kek, target, clock);
    try {
      WalInventory inventory = archive.inventory();
      if (inventory.isEmpty()) {
        return new WalArchiveFigures(false, null, null, -1, null);
      }
      Instant newest = PitrRestoreStage.endTime(archive, target, inventory).orElse(null);
      Instant start =
          BaseBackups.complete(repository, target).stream()
              .filter(b -> PitrPlanner.reach(inventory, b).isPresent())
              .map(BaseBackupManifest::finishedAt)
              .min(Instant::compareTo)
              .orElse(null);
      long end = inventory.recoverableEnd().orElse(0);
      Instant now = clock.instant();
      Duration sinceStored = newest == null ? null : Duration.between(newest, now).abs();
      long lagBytes = -1;
      Duration lag = sinceStored;
      try (Connection c = primary.call()) {
        lagBytes = Math.max(0, ArchiveSlot.current(c).lsn() - end);
        lag = lagBytes == 0 ? Duration.ZERO : sinceStored;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception unreadable) {
        // the primary is down or unreachable: the time since the last store stands
      }
      return new WalArchiveFigures(true, start, start == null ? null : newest, lagBytes, lag);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "reading the WAL archive of " + target + " in " + archive.describe() + ": " + e, e);
    }
  }
}
