package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/**
 * The WAL step: a base backup is restorable only with the WAL from its start to its stop LSN, which
 * the archiver ships. This waits, bounded, until the archive holds it without a hole, then writes
 * the backup's manifest, last.
 */
final class BaseBackupCompletion {
  private final KeyEncryptionKey kek;
  private final Clock clock;
  private final Duration walWait;

  BaseBackupCompletion(KeyEncryptionKey kek, Clock clock, Duration walWait) {
    this.kek = kek;
    this.clock = clock;
    this.walWait = walWait;
  }

  BaseBackupManifest complete(BackupRepository repository, BaseBackupManifest pending)
      throws IOException {
    String target = pending.target();
    WalArchive archive = new WalArchive(repository, kek, target, clock);
    long start = WalSegment.parseLsn(pending.startLsn());
    long stop = WalSegment.parseLsn(pending.stopLsn());
    Instant deadline = clock.instant().plus(walWait);
    try (Heartbeat heartbeat = Heartbeat.start("wal", stop - start, "bytes of WAL")) {
      while (true) {
        heartbeat.check();
        WalInventory inventory = archive.inventory();
        OptionalLong end = inventory.contiguousEnd(pending.timeline(), start);
        if (end.isPresent()) {
          heartbeat.set(Math.min(end.getAsLong(), stop) - start);
          if (end.getAsLong() >= stop) {
            break;
          }
        }
        if (clock.instant().isAfter(deadline)) {
          throw FailureType.LAG_TOO_HIGH.failure(
              "base backup "
                  + pending.id()
                  + " of target "
                  + target
                  + " needs the WAL from "
                  + pending.startLsn()
                  + " to "
                  + pending.stopLsn()
                  + " on timeline "
                  + pending.timeline()
                  + ", but after waiting "
                  + walWait.toSeconds()
                  + " s the archive "
                  + archive.describe()
                  + " holds "
                  + inventory.describe()
                  + ". Is the archiver running? Start it with 'runbook archive start --target "
                  + target
                  + "', then take the base backup again; this incomplete one is removed");
        }
        sleep(heartbeat);
      }
    }
    repository.put(BaseBackupLayout.manifestKey(target, pending.id()), BaseBackups.json(pending));
    repository.delete(BaseBackupLayout.pendingKey(target, pending.id()));
    return pending;
  }

  private static void sleep(Heartbeat heartbeat) {
    try {
      Thread.sleep(500);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      heartbeat.check();
      throw new IllegalStateException("interrupted waiting for the WAL archive", e);
    }
  }
}
