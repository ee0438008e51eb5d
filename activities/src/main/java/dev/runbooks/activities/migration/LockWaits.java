package dev.runbooks.activities.migration;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Samples, every {@value #INTERVAL_MS} ms, whether any of a migration's sessions waits for a lock
 * (pg_stat_activity's wait_event_type 'Lock'), and adds up the time it did: the lock wait reported
 * beside each version's duration. Sampling, so waits shorter than the interval can be missed.
 */
final class LockWaits implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(LockWaits.class);
  static final int INTERVAL_MS = 100;

  private final Connection connection;
  private final Set<Integer> sessions;
  private final Thread thread;
  private volatile boolean running = true;
  private volatile long waitedNanos;

  private LockWaits(Connection connection, Set<Integer> sessions) {
    this.connection = connection;
    this.sessions = sessions;
    this.thread = new Thread(this::run, "runbooks-lock-waits");
    thread.setDaemon(true);
    thread.start();
  }

  /** Starts sampling on a connection of its own; null connection: nothing is sampled. */
  static LockWaits start(Migrator migrator) {
    try {
      return new LockWaits(migrator.open(), migrator.sessions());
    } catch (SQLException e) {
      log.warn("lock waits are not measured: cannot open a connection: {}", e.getMessage());
      return new LockWaits(null, migrator.sessions());
    }
  }

  private void run() {
    if (connection == null) {
      return;
    }
    try (PreparedStatement s =
        connection.prepareStatement(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(?) AND wait_event_type ="
                + " 'Lock'")) {
      long last = System.nanoTime();
      while (running) {
        Integer[] pids = sessions.toArray(new Integer[0]);
        boolean waiting = false;
        if (pids.length > 0) {
          Array array = connection.createArrayOf("int4", pids);
          s.setArray(1, array);
          try (ResultSet rs = s.executeQuery()) {
            rs.next();
            waiting = rs.getInt(1) > 0;
          }
        }
        long now = System.nanoTime();
        if (waiting) {
          waitedNanos += now - last;
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

  Duration waited() {
    return Duration.ofMillis(waitedNanos / 1_000_000);
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
