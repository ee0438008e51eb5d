package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.TransientBackupException;
import dev.runbooks.workflows.pitr.BaseBackupDrill;
import dev.runbooks.workflows.pitr.WalArchiveState;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** Reads a target's {@link WalArchiveState}: the repository's view, then the primary's. */
final class ArchiveStates {
  private final ArchiverWiring wiring;

  ArchiveStates(ArchiverWiring wiring) {
    this.wiring = wiring;
  }

  WalArchiveState describe(String target) {
    WalArchive archive =
        new WalArchive(wiring.targets().repository(target), wiring.kek(), target, wiring.clock());
    WalInventory inventory;
    Instant lastStored = null;
    List<BaseBackupDrill> baseBackups;
    try {
      inventory = archive.inventory();
      lastStored = newestStoredAt(archive, target, inventory);
      baseBackups = BaseBackupDrills.list(wiring.targets().repository(target), target);
    } catch (PermanentBackupException e) {
      throw e.toFailure();
    } catch (IOException e) {
      throw new TransientBackupException(
          "reading the WAL archive of " + target + " in " + archive.describe() + ": " + e, e);
    }
    List<String> gaps = new ArrayList<>();
    for (WalInventory.TimelineWal t : inventory.timelines()) {
      for (WalInventory.Span gap : t.gaps()) {
        gaps.add(
            "timeline "
                + t.timeline()
                + ": "
                + WalSegment.formatLsn(gap.fromLsn())
                + "-"
                + WalSegment.formatLsn(gap.toLsn()));
      }
    }
    long end = inventory.recoverableEnd().orElse(0);
    String earliest =
        inventory.timelines().stream().mapToLong(WalInventory.TimelineWal::startLsn).min().stream()
            .mapToObj(WalSegment::formatLsn)
            .findFirst()
            .orElse("");
    String primaryLsn = "";
    long lagBytes = -1;
    Duration lag = null;
    String slotText;
    ArchiveSlot slot = new ArchiveSlot(target);
    try (Connection c = wiring.connections().primary(target)) {
      long current = ArchiveSlot.current(c).lsn();
      primaryLsn = WalSegment.formatLsn(current);
      lagBytes = Math.max(0, current - end);
      Instant now = wiring.clock().instant();
      lag =
          lagBytes == 0
              ? Duration.ZERO
              : lastStored == null ? null : Duration.between(lastStored, now).abs();
      slotText = slotText(c, slot);
    } catch (SQLException | RuntimeException e) {
      slotText = slot.name() + ": unknown (the primary could not be read: " + e.getMessage() + ")";
    }
    return new WalArchiveState(
        target,
        archive.describe(),
        !inventory.isEmpty(),
        inventory.latest().map(WalInventory.TimelineWal::timeline).orElse(0),
        earliest,
        inventory.isEmpty() ? "" : WalSegment.formatLsn(end),
        lastStored,
        primaryLsn,
        lagBytes,
        lag,
        gaps,
        slotText,
        baseBackups);
  }

  /** When the object that holds the archive's end was stored. */
  private static Instant newestStoredAt(WalArchive archive, String target, WalInventory inventory)
      throws IOException {
    var latest = inventory.latest();
    if (latest.isEmpty()) {
      return null;
    }
    WalInventory.TimelineWal t = latest.get();
    String key;
    if (!t.partials().isEmpty()
        && t.partials().get(t.partials().size() - 1).endLsn() >= t.endLsn()) {
      key = WalArchive.partialKey(target, t.partials().get(t.partials().size() - 1).segment());
    } else {
      key = WalArchive.segmentKey(target, t.lastComplete().orElseThrow());
    }
    return archive.header(key).storedAt();
  }

  private static String slotText(Connection c, ArchiveSlot slot) throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT pg_size_pretty(pg_current_wal_lsn() - restart_lsn), wal_status"
                + " FROM pg_replication_slots WHERE slot_name = ?")) {
      s.setString(1, slot.name());
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return slot.name() + ": missing on the primary (the archiver creates it when it runs)";
        }
        return slot.name() + ": retains " + rs.getString(1) + " (" + rs.getString(2) + ")";
      }
    }
  }
}
