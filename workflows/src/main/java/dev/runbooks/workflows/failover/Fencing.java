package dev.runbooks.workflows.failover;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What fencing the primary did.
 *
 * @param finalLsn the primary's WAL position read after no more writes could start: the candidate
 *     must replay up to here
 * @param fencedAt when writes stopped being accepted (the worker's clock)
 * @param readOnlyChanged default_transaction_read_only was off and fencing turned it on
 * @param lockedRoles the roles fencing set to NOLOGIN (those that could log in before)
 * @param sessionsTerminated sessions of those roles that fencing ended
 */
public record Fencing(
    String finalLsn,
    Instant fencedAt,
    boolean readOnlyChanged,
    List<String> lockedRoles,
    int sessionsTerminated) {
  public Fencing {
    Objects.requireNonNull(finalLsn, "finalLsn");
    Objects.requireNonNull(fencedAt, "fencedAt");
    lockedRoles = List.copyOf(lockedRoles);
  }
}
