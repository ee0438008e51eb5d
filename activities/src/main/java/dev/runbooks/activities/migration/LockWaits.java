package dev.runbooks.activities.migration;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, every {@value #INTERVAL_MS} ms, whether any of a migration's sessions waits for a lock
 * (pg_stat_activity's wait_event_type 'Lock'), and adds up the time it did: the lock wait reported
 * beside each version's duration. Sampling, so waits shorter than the interval can be missed. While
 * one waits, it also remembers the sessions blocking it ({@code pg_blocking_pids}), so that a
 * statement that gave up on its lock can say whom it waited for.
 */
final class LockWaits implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LockWaits.class);
  static final int INTERVAL_MS = 100;

  private static final String WAITING =
      "SELECT array_agg(pid) FROM pg_stat_activity WHERE pid = ANY(?) AND wait_event_type = 'Lock'";
  private static final String BLOCKERS =
      "SELECT pid, application_name, usename, state, xact_start, query_start,"
          + " left(regexp_replace(query, '\\s+', ' ', 'g'), 200) FROM pg_stat_activity"
          + " WHERE pid IN (SELECT unnest(pg_blocking_pids(w)) FROM unnest(?::int[]) w)"
          + " ORDER BY pid";

  private final Connection connection;
  private final Set<Integer> sessions;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long waitedNanos;
  private volatile List<String> blockers = List.of();

  private LockWaits(Connection connection, Set<Integer> sessions) {
    this.connection = connection;
    this.sessions = sessions;
    this.thread = new Thread(this::run, "runbooks-lock-waits");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts sampling the migrator's sessions on a connection of its own. */
  static LockWaits start(Migrator migrator) {
    return watch(migrator::open, migrator.sessions());
  }

  /** Starts sampling {@code sessions}; without a connection nothing is sampled. */
  static LockWaits watch(Migrator.Opener opener, Set<Integer> sessions) {
    try {
      return new LockWaits(opener.open(), sessions);
    } catch (SQLException e) {
      log.warn("lock waits are not measured: cannot open a connection: {}", e.getMessage());
      return new LockWaits(null, sessions);
    }
  }

  private void run() {
    if (connection == null) {
      return;
    }
    try (PreparedStatement waiting = connection.prepareStatement(WAITING);
        PreparedStatement blocking = connection.prepareStatement(BLOCKERS)) {
      long last = System.nanoTime();
      while (running) {
        Integer[] pids = sessions.toArray(new Integer[0]);
        Array waiters = null;
        if (pids.length > 0) {
          waiting.setArray(1, connection.createArrayOf("int4", pids));
          try (ResultSet rs = waiting.executeQuery()) {
            rs.next();
            waiters = rs.getArray(1);
          }
        }
        long now = System.nanoTime();
        if (waiters != null) {
          waitedNanos += now - last;
          blocking.setArray(1, waiters);
          List<String> seen = blockers(blocking);
          if (!seen.isEmpty()) {
            blockers = seen;
          }
        }
        last = now;
        Thread.sleep(INTERVAL_MS);
      }
    } catch (SQLException e) {
      log.debug("lock-wait sampling stopped: {}", e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static List<String> blockers(PreparedStatement s) throws SQLException {
    List<String> seen = new ArrayList<>();
    try (ResultSet rs = s.executeQuery()) {
      while (rs.next()) {
        Timestamp xact = rs.getTimestamp(5);
        Timestamp query = rs.getTimestamp(6);
        seen.add(
            "pid "
                + rs.getInt(1)
                + " (application_name '"
                + nullToEmpty(rs.getString(2))
                + "', user "
                + rs.getString(3)
                + ", "
                + rs.getString(4)
                + (xact == null ? "" : ", transaction started " + xact.toInstant())
                + (query == null ? "" : ", query started " + query.toInstant())
                + ": "
                + nullToEmpty(rs.getString(7))
                + ")");
      }
    }
    return List.copyOf(seen);
  }

  Duration waited() {
    return Duration.ofMillis(waitedNanos / 1_000_000);
  }

  /** Who blocked the sessions the last time one waited for a lock, and what to do about it. */
  String blockers() {
    List<String> seen = blockers;
    if (seen.isEmpty()) {
      return "no session was seen blocking it";
    }
    return "blocked by "
        + String.join("; ", seen)
        + ". End "
        + (seen.size() == 1 ? "that session" : "those sessions")
        + " (pg_terminate_backend(pid)) or wait for "
        + (seen.size() == 1 ? "it" : "them");
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }

  @Override
  public void close() {
    running = false;
    try {
      thread.join(2_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException e) {
        log.debug("closing the lock-wait sampler: {}", e.getMessage());
      }
    }
  }
}
