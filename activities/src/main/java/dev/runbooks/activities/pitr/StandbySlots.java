package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.TargetConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashSet;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The archiver's slot on each replica too, moved with the primary's: a replica promoted in a
 * failover then already keeps the WAL the archive lacks (its checkpoints would otherwise recycle it
 * before the next session could create a slot there), and a former primary that rejoins as a
 * replica does not keep its old slot's WAL for ever. Best effort: a replica that cannot be reached
 * or refuses is logged once and never fails the session.
 */
final class StandbySlots {
  private static final Logger log = LoggerFactory.getLogger(StandbySlots.class);

  private final TargetConnections connections;
  private final String target;
  private final ArchiveSlot slot;
  private final Set<String> warned = new HashSet<>();

  StandbySlots(TargetConnections connections, String target, ArchiveSlot slot) {
    this.connections = connections;
    this.target = target;
    this.slot = slot;
  }

  /** Makes sure each replica has the slot, and moves it to {@code archivedTo}. */
  void keep(long archivedTo) {
    for (String replica : connections.replicaNames(target)) {
      try (Connection c = connections.replica(target, replica)) {
        if (slot.restartLsn(c).isEmpty()) {
          slot.create(c);
          log.info("created the archive slot {} on replica {}", slot.name(), replica);
        }
        slot.advance(c, archivedTo);
        warned.remove(replica);
      } catch (SQLException | RuntimeException e) {
        if (warned.add(replica)) {
          log.warn(
              "cannot keep the archive slot {} on replica {} of {} ({}): if it is promoted, WAL"
                  + " the archive lacks may be gone there",
              slot.name(),
              replica,
              target,
              e.getMessage());
        }
      }
    }
  }
}
