package dev.runbooks.activities.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Who waits on whom: turns each session's {@code pg_blocking_pids()} into chains from a blocked
 * session up to the root blocker, the one that waits on nobody.
 */
final class LockChains {
  /**
   * One session as pg_stat_activity shows it.
   *
   * @param blockers the sessions it waits on, first the one a chain follows; empty when it does not
   *     wait on a lock
   * @param waiting how long it has waited for its lock, or null when it does not wait
   * @param transactionAge how long its transaction has been open, or null when none is open
   */
  record Session(
      int pid,
      List<Integer> blockers,
      String user,
      String application,
      String state,
      String waitEvent,
      Duration waiting,
      Duration transactionAge,
      String query) {
    Session {
      blockers = List.copyOf(blockers);
    }

    boolean blocked() {
      return !blockers.isEmpty();
    }
  }

  /** A chain: {@code sessions.get(0)} waits on {@code sessions.get(1)}, and so on to the root. */
  record Chain(List<Session> sessions, boolean cycle) {
    Chain {
      sessions = List.copyOf(sessions);
    }

    Session root() {
      return sessions.get(sessions.size() - 1);
    }

    /** The longest time any session in the chain has waited. */
    Duration longestWait() {
      Duration longest = Duration.ZERO;
      for (Session s : sessions) {
        if (s.waiting() != null && s.waiting().compareTo(longest) > 0) {
          longest = s.waiting();
        }
      }
      return longest;
    }
  }

  private LockChains() {}

  /**
   * The chains that cover every blocked session, longest first. A session that others wait on
   * appears inside their chains rather than in a chain of its own, so an ALTER TABLE stuck behind
   * an open transaction, with a queue of SELECTs behind it, gives one chain per SELECT, each naming
   * the same root. A cycle (a deadlock the server has not yet broken) ends where it repeats.
   */
  static List<Chain> chains(List<Session> sessions) {
    Map<Integer, Session> byPid = new LinkedHashMap<>();
    Set<Integer> waitedOn = new LinkedHashSet<>();
    for (Session s : sessions) {
      byPid.put(s.pid(), s);
      waitedOn.addAll(s.blockers());
    }
    List<Chain> chains = new ArrayList<>();
    Set<Integer> covered = new LinkedHashSet<>();
    // Leaves first: blocked sessions nobody waits on. Then whatever a cycle left uncovered.
    for (boolean leavesOnly : new boolean[] {true, false}) {
      for (Session s : sessions) {
        if (!s.blocked() || covered.contains(s.pid())) {
          continue;
        }
        if (leavesOnly && waitedOn.contains(s.pid())) {
          continue;
        }
        Chain chain = walk(s, byPid);
        chain.sessions().forEach(member -> covered.add(member.pid()));
        chains.add(chain);
      }
    }
    chains.sort((a, b) -> Integer.compare(b.sessions().size(), a.sessions().size()));
    return chains;
  }

  private static Session ended(int pid) {
    return new Session(
        pid, List.of(), null, null, "ended", null, null, null, "(session has ended)");
  }

  private static Chain walk(Session start, Map<Integer, Session> byPid) {
    List<Session> chain = new ArrayList<>();
    Set<Integer> seen = new LinkedHashSet<>();
    Session current = start;
    while (true) {
      chain.add(current);
      seen.add(current.pid());
      if (!current.blocked()) {
        return new Chain(chain, false);
      }
      int next = current.blockers().get(0);
      if (seen.contains(next)) {
        return new Chain(chain, true);
      }
      // The blocker may have ended between pg_blocking_pids() and the activity snapshot.
      current = Objects.requireNonNullElseGet(byPid.get(next), () -> ended(next));
    }
  }
}
