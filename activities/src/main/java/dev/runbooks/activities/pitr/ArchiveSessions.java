package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.TransientBackupException;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.ResolvedTopology;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.workflows.pitr.ArchiveInput;
import dev.runbooks.workflows.pitr.ArchiveSession;
import io.temporal.client.ActivityCompletionException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One archiving session: find the primary, make sure the slot is there, start {@code pg_receivewal}
 * where the archive ends, and ship what it writes every {@link #POLL} until the session's time is
 * up or the activity is cancelled. See runbooks/pitr.md, "WAL archive".
 */
final class ArchiveSessions {
  private static final Logger log = LoggerFactory.getLogger(ArchiveSessions.class);

  /**
   * How often the spool is shipped, from one pass's start to the next's: the archive is about this
   * much behind plus a pass. At 1 s, WAL written at 30 MB/s (the full-page writes after a
   * checkpoint) left the archive 60-80 MB behind; a pass with nothing new costs two small queries.
   */
  static final long POLL_MILLIS = 200;

  /** The replicas' slots are moved this often. */
  static final long STANDBY_EVERY_MILLIS = 10_000;

  private final ArchiverWiring wiring;

  ArchiveSessions(ArchiverWiring wiring) {
    this.wiring = wiring;
  }

  ArchiveSession run(ArchiveInput input) {
    String target = input.target();
    ResolvedTopology topology = wiring.connections().topology(target);
    String primary = topology.primary() == null ? "primary" : topology.primary();
    ConnectionSpec spec = wiring.connections().connectionSpec(target);
    WalArchive archive =
        new WalArchive(wiring.targets().repository(target), wiring.kek(), target, wiring.clock());
    Spool spool = new Spool(wiring.spoolRoot().resolve(target));
    ArchiveSlot slot = new ArchiveSlot(target);
    Clock clock = wiring.clock();
    Instant deadline = clock.instant().plus(input.length());
    String context = "WAL archive of " + target + " from " + primary + " at " + spec.address();
    List<String> gaps = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    try (Connection c = wiring.connections().primary(target);
        Heartbeat heartbeat = Heartbeat.start("archive", 0, "segments")) {
      int stale = slot.terminateStaleReceivers(c);
      if (stale > 0) {
        log.info("{}: ended {} receiver(s) left by an earlier worker", context, stale);
      }
      WalInventory inventory = archive.inventory();
      if (slot.restartLsn(c).isEmpty()) {
        slot.create(c);
        if (!inventory.isEmpty()) {
          String warning =
              "the replication slot "
                  + slot.name()
                  + " was missing on "
                  + primary
                  + " (dropped by someone?): re-created; WAL removed meanwhile shows as a gap";
          warnings.add(warning);
          log.warn("{}: {}", context, warning);
        }
      }
      ArchiveSlot.Position now = ArchiveSlot.current(c);
      int timeline;
      long start;
      if (inventory.isEmpty()) {
        timeline = now.timeline();
        start = WalSegment.containing(timeline, now.lsn()).startLsn();
      } else {
        WalInventory.TimelineWal latest = inventory.latest().orElseThrow();
        timeline = latest.timeline();
        start = latest.endLsn();
      }
      Shipper shipper = new Shipper(archive, spool, timeline, start);
      WalReceiver receiver = startReceiver(spool, shipper, spec, slot, timeline, start);
      heartbeat.onStop(receiver::close);
      String repositoryProblem = null;
      StandbySlots standbys = new StandbySlots(wiring.connections(), target, slot);
      long nextPass = System.nanoTime();
      long standbysKept = nextPass - STANDBY_EVERY_MILLIS * 1_000_000;
      long advancedTo = -1;
      try {
        while (clock.instant().isBefore(deadline)) {
          // A pass that took longer than the period (a burst of WAL) is followed at once.
          nextPass += POLL_MILLIS * 1_000_000;
          long wait = nextPass - System.nanoTime();
          if (wait > 0) {
            Thread.sleep(wait / 1_000_000);
          } else {
            nextPass = System.nanoTime();
          }
          stopWhenAsked(heartbeat, receiver, shipper, slot, c);
          try {
            shipper.ship(() -> slot.receiverFlushed(c));
            if (repositoryProblem != null) {
              log.info("{}: the repository answers again; shipping resumed", context);
              repositoryProblem = null;
            }
          } catch (IOException e) {
            if (repositoryProblem == null) {
              log.warn(
                  "{}: cannot store WAL ({}); the slot keeps it on the primary, retrying",
                  context,
                  e.getMessage());
            }
            repositoryProblem = e.getMessage();
            continue;
          }
          if (shipper.archivedTo() != advancedTo) {
            slot.advance(c, shipper.archivedTo());
            advancedTo = shipper.archivedTo();
          }
          if (System.nanoTime() - standbysKept >= STANDBY_EVERY_MILLIS * 1_000_000) {
            standbys.keep(shipper.archivedTo());
            standbysKept = System.nanoTime();
          }
          heartbeat.set(shipper.segments());
          if (!receiver.isAlive()) {
            // Asked to stop since the check above: the heartbeat's stop ended pg_receivewal.
            stopWhenAsked(heartbeat, receiver, shipper, slot, c);
            shipper.ship(() -> slot.receiverFlushed(c));
            if (!receiver.walRemoved()) {
              throw new TransientBackupException(
                  context
                      + ": pg_receivewal ended ("
                      + receiver.errors()
                      + "); the session is retried against the primary found then",
                  null);
            }
            long from = shipper.archivedTo();
            int tl = ArchiveSlot.current(c).timeline();
            long resume = resumeAfterGap(c, tl, from);
            String gap =
                "gap on timeline "
                    + shipper.timeline()
                    + ": WAL from "
                    + WalSegment.formatLsn(from)
                    + " to "
                    + WalSegment.formatLsn(resume)
                    + " was removed from "
                    + primary
                    + " before it was archived ("
                    + firstLine(receiver.errors())
                    + "); the recoverable window before it ends at "
                    + WalSegment.formatLsn(from)
                    + ", take a new base backup to restore past it";
            gaps.add(gap);
            log.error("{}: {}", context, gap);
            receiver = startReceiver(spool, shipper, spec, slot, tl, resume);
            heartbeat.onStop(receiver::close);
          }
        }
      } finally {
        receiver.close();
      }
      if (repositoryProblem == null) {
        shipper.ship(() -> slot.receiverFlushed(c));
        slot.advance(c, shipper.archivedTo());
      }
      return new ArchiveSession(
          target,
          primary,
          shipper.timeline(),
          WalSegment.formatLsn(shipper.archivedTo()),
          shipper.segments(),
          clock.instant(),
          gaps,
          warnings);
    } catch (SQLException e) {
      throw SqlFaults.classify(e, "archive the WAL of " + target + " from " + primary);
    } catch (PermanentBackupException e) {
      throw e.toFailure();
    } catch (IOException e) {
      throw new TransientBackupException(context + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientBackupException(context + ": interrupted", e);
    }
  }

  private WalReceiver startReceiver(
      Spool spool, Shipper shipper, ConnectionSpec spec, ArchiveSlot slot, int timeline, long lsn)
      throws IOException {
    spool.reset();
    shipper.seeded(spool.seed(timeline, lsn));
    log.info(
        "streaming WAL of timeline {} from {} into {}",
        timeline,
        WalSegment.formatLsn(lsn),
        spool.dir());
    return WalReceiver.start(wiring.tools(), spec, spool.dir(), slot.applicationName());
  }

  /** Where streaming can go on after WAL was removed: the oldest segment the server still has. */
  private static long resumeAfterGap(Connection c, int timeline, long from) throws SQLException {
    long segno = WalSegment.containing(timeline, Math.max(from - 1, 0)).segno();
    OptionalLong held = ArchiveSlot.oldestHeldAfter(c, timeline, segno);
    if (held.isPresent()) {
      return new WalSegment(timeline, held.getAsLong()).startLsn();
    }
    return WalSegment.containing(timeline, ArchiveSlot.current(c).lsn()).startLsn();
  }

  private static String firstLine(String text) {
    int nl = text.indexOf('\n');
    return nl < 0 ? text : text.substring(0, nl);
  }

  /**
   * Asked to stop (archive stop) or timed out: what was received is stored and the slot advanced
   * first, then the stop goes on to Temporal as the cancellation it is.
   */
  private static void stopWhenAsked(
      Heartbeat heartbeat, WalReceiver receiver, Shipper shipper, ArchiveSlot slot, Connection c)
      throws IOException, SQLException {
    try {
      heartbeat.check();
    } catch (ActivityCompletionException stopped) {
      receiver.close();
      shipper.ship(() -> slot.receiverFlushed(c));
      slot.advance(c, shipper.archivedTo());
      throw stopped;
    }
  }
}
