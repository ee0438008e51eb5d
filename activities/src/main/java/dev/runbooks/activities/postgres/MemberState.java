package dev.runbooks.activities.postgres;

import java.util.Objects;

/**
 * One member of a target as topology resolution found it.
 *
 * @param problem why it did not answer; empty when it did
 * @param readOnly default_transaction_read_only is on: a session cannot write by default
 * @param fencedBy the run whose fence ({@code runbooks.fence}) the server carries; null when none
 * @param fencedWhen when that fence was set, for messages ("at 2026-...")
 * @param lsn the current WAL position of a writable server, the replayed one of a replica
 * @param timeline 0 when unknown
 */
public record MemberState(
    String name,
    String address,
    boolean reachable,
    String problem,
    boolean inRecovery,
    boolean readOnly,
    String fencedBy,
    String fencedWhen,
    String lsn,
    int timeline) {
  public MemberState {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(address, "address");
    problem = problem == null ? "" : problem;
  }

  static MemberState unreachable(String name, String address, String problem) {
    return new MemberState(name, address, false, problem, false, false, null, null, null, 0);
  }

  /** Takes writes: answers, out of recovery, not read-only, not fenced. */
  public boolean writable() {
    return reachable && !inRecovery && !readOnly && fencedBy == null;
  }

  public boolean fenced() {
    return fencedBy != null;
  }

  /** Why it is not the primary, or what it is: one phrase. */
  public String state() {
    if (!reachable) {
      return "did not answer (" + problem + ")";
    }
    if (fenced()) {
      return "fenced by run " + fencedBy + " " + fencedWhen;
    }
    if (inRecovery) {
      return "in recovery";
    }
    return readOnly ? "read-only (default_transaction_read_only on)" : "writable";
  }

  /** The evidence for a message: name, address, state, timeline and LSN. */
  public String evidence() {
    StringBuilder s = new StringBuilder(name).append(" at ").append(address).append(": ");
    s.append(state());
    if (reachable) {
      s.append(", timeline ").append(timeline == 0 ? "unknown" : Integer.toString(timeline));
      s.append(inRecovery ? ", replayed to " : ", WAL at ").append(lsn);
      if (!fenced()) {
        s.append(", not fenced");
      }
    }
    return s.toString();
  }
}
