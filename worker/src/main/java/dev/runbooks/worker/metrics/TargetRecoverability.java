package dev.runbooks.worker.metrics;

import dev.runbooks.activities.pitr.WalArchiveFigures;
import dev.runbooks.workflows.backup.BackupCatalog;
import dev.runbooks.workflows.backup.BackupListing;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Objects;

/**
 * What a target's repository says about its recoverability. Only complete backups count: one being
 * written has no manifest yet and can restore nothing.
 *
 * @param newestBackup null when there is no complete backup
 * @param newestVerified the newest complete backup whose latest drill passed; null when none
 * @param drillPassed the verdict of the most recent drill of any backup; null when never drilled
 * @param drillRestore that drill's measured restore duration; null when never drilled
 * @param freshnessLimit the target's backupFreshness; null when unset
 * @param wal the target's WAL archive (empty when it has none)
 * @param walFreshness the target's walFreshness; null when unset
 */
public record TargetRecoverability(
    String target,
    Instant newestBackup,
    Instant newestVerified,
    int completeBackups,
    long repositoryBytes,
    Boolean drillPassed,
    Instant drilledAt,
    Duration drillRestore,
    Duration freshnessLimit,
    WalArchiveFigures wal,
    Duration walFreshness) {
  public TargetRecoverability {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(wal, "wal");
  }

  /** A target without a WAL archive nor a walFreshness. */
  public static TargetRecoverability of(BackupCatalog catalog) {
    return of(catalog, new WalArchiveFigures(false, null, null, -1, null), null);
  }

  public static TargetRecoverability of(
      BackupCatalog catalog, WalArchiveFigures wal, Duration walFreshness) {
    Instant newest = null;
    Instant verified = null;
    int complete = 0;
    long bytes = 0;
    BackupListing lastDrill = null;
    for (BackupListing b : catalog.backups()) {
      if (!b.complete()) {
        continue;
      }
      complete++;
      bytes += b.ciphertextBytes();
      newest = later(newest, b.startedAt());
      if (Boolean.TRUE.equals(b.drillPassed())) {
        verified = later(verified, b.startedAt());
      }
      if (b.drilledAt() != null
          && (lastDrill == null
              || Comparator.<Instant>naturalOrder().compare(b.drilledAt(), lastDrill.drilledAt())
                  > 0)) {
        lastDrill = b;
      }
    }
    return new TargetRecoverability(
        catalog.target(),
        newest,
        verified,
        complete,
        bytes,
        lastDrill == null ? null : lastDrill.drillPassed(),
        lastDrill == null ? null : lastDrill.drilledAt(),
        lastDrill == null ? null : lastDrill.restoreDuration(),
        catalog.freshnessLimit(),
        wal,
        walFreshness);
  }

  private static Instant later(Instant a, Instant b) {
    if (b == null) {
      return a;
    }
    return a == null || b.isAfter(a) ? b : a;
  }
}
