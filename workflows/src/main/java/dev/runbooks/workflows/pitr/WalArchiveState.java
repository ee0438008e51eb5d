package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A target's WAL archive as the repository and the primary show it now: what {@code runbook archive
 * status} and {@code runbook backups} print.
 *
 * @param archived whether the archive holds any WAL
 * @param timeline the highest timeline archived (0 when none)
 * @param earliest the first archived LSN ({@code ""} when none)
 * @param end how far the archive reaches ({@code ""} when none)
 * @param lastStored when the newest object was stored (null when none)
 * @param primaryLsn the primary's current WAL position ({@code ""} when it could not be read)
 * @param lagBytes WAL the primary has written that the archive does not hold (-1 when unknown)
 * @param lag how far behind in time: zero when the archive holds everything the primary wrote, else
 *     the time since the archive last stored anything (null when unknown)
 * @param gaps the holes in the archive, each as {@code timeline T: from-to}
 * @param slot the archiver's replication slot on the primary: its name and the WAL it retains
 *     ({@code "runbooks_archive_orders: retains 12.0 MB"}), or why it is missing
 * @param baseBackups the complete base backups, newest first, each with its newest PITR drill's
 *     verdict (empty in the results of workers from before they were listed here)
 */
public record WalArchiveState(
    String target,
    String location,
    boolean archived,
    int timeline,
    String earliest,
    String end,
    Instant lastStored,
    String primaryLsn,
    long lagBytes,
    Duration lag,
    List<String> gaps,
    String slot,
    List<BaseBackupDrill> baseBackups) {
  public WalArchiveState {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(location, "location");
    Objects.requireNonNull(earliest, "earliest");
    Objects.requireNonNull(end, "end");
    Objects.requireNonNull(primaryLsn, "primaryLsn");
    gaps = List.copyOf(gaps);
    Objects.requireNonNull(slot, "slot");
    // Histories recorded before base backups were listed here hold none.
    baseBackups = baseBackups == null ? List.of() : List.copyOf(baseBackups);
  }
}
