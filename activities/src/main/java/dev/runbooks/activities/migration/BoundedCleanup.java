package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SqlFaults;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cleanup statements (what a failed script left behind) with a bound: {@code lock_timeout} and
 * {@code statement_timeout} on their session. While one runs, a sampler on a session of its own
 * remembers who blocks it ({@code pg_blocking_pids}), so that a cleanup that gives up names whom it
 * waited for; a {@code DROP INDEX CONCURRENTLY} behind a long transaction otherwise waits as long
 * as that transaction lasts.
 */
final class BoundedCleanup {
  private static final Logger log = LoggerFactory.getLogger(BoundedCleanup.class);

  static final int SAMPLE_MS = 100;

  /** One statement of a cleanup, on the bounded session. */
  interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  /** A cleanup that gave up: its message says after what and who blocked it. */
  static final class GaveUp extends SQLException {
    private static final long serialVersionUID = 1L;

    GaveUp(String message, SQLException cause) {
      super(message, cause.getSQLState(), cause);
    }
  }

  private final Migrator.Opener opener;
  private final Duration lockTimeout;
  private final Duration statementTimeout;

  BoundedCleanup(Migrator.Opener opener, Duration lockTimeout, Duration statementTimeout) {
    this.opener = opener;
    this.lockTimeout = lockTimeout;
    this.statementTimeout = statementTimeout;
  }

  /** Runs one statement within the bound. */
  void execute(String sql) throws SQLException {
    run(
        sql,
        c -> {
          Jdbc.execute(c, sql);
          return null;
        });
  }

  /**
   * Runs {@code work} on a new session within the bound.
   *
   * @throws GaveUp when it timed out, naming the sessions that blocked it
   */
  <T> T run(String what, Work<T> work) throws SQLException {
    try (Connection c = opener.open()) {
      Jdbc.execute(c, Migrator.timeouts(lockTimeout, statementTimeout));
      int pid = Integer.parseInt(Jdbc.string(c, "SELECT pg_backend_pid()").orElseThrow());
      try (Sampler blockers = new Sampler(pid)) {
        try {
          return work.run(c);
        } catch (SQLException e) {
          if (!timedOut(e)) {
            throw e;
          }
          throw new GaveUp(
              what
                  + " gave up (lock_timeout "
                  + lockTimeout.toMillis()
                  + " ms, statement_timeout "
                  + statementTimeout.toMillis()
                  + " ms): "
                  + SqlFaults.describe(e)
                  + "; "
                  + blockers.describe(),
              e);
        }
      }
    }
  }

  /** 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout). */
  static boolean timedOut(SQLException e) {
    return "55P03".equals(e.getSQLState()) || "57014".equals(e.getSQLState());
  }

  /** Samples the sessions blocking {@code pid}; remembers the last ones it saw. */
  private final class Sampler implements AutoCloseable {
    private final int pid;
    private final Thread thread;
    private volatile boolean running = true;
    private volatile List<String> last = List.of();

    Sampler(int pid) {
      this.pid = pid;
      this.thread = new Thread(this::run, "runbooks-cleanup-blockers");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      try (Connection c = opener.open();
          PreparedStatement s =
              c.prepareStatement(
                  "SELECT pid, application_name, usename, state, xact_start, query_start,"
                      + " left(regexp_replace(query, '\\s+', ' ', 'g'), 200)"
                      + " FROM pg_stat_activity WHERE pid = ANY(pg_blocking_pids(?)) ORDER BY pid")) {
        s.setInt(1, pid);
        while (running) {
          List<String> seen = new ArrayList<>();
          try (ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
              seen.add(blocker(rs));
            }
          }
          if (!seen.isEmpty()) {
            last = List.copyOf(seen);
          }
          Thread.sleep(SAMPLE_MS);
        }
      } catch (SQLException e) {
        log.debug("sampling the blockers of session {} stopped: {}", pid, e.getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private static String blocker(ResultSet rs) throws SQLException {
      Timestamp xact = rs.getTimestamp(5);
      Timestamp query = rs.getTimestamp(6);
      return "pid "
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
          + ")";
    }

    String describe() {
      List<String> blockers = last;
      if (blockers.isEmpty()) {
        return "no session was seen blocking it";
      }
      return "blocked by "
          + String.join("; ", blockers)
          + ". End "
          + (blockers.size() == 1 ? "that session" : "those sessions")
          + " (pg_terminate_backend(pid)) or wait for "
          + (blockers.size() == 1 ? "it" : "them");
    }

    @Override
    public void close() {
      running = false;
      try {
        thread.join(2_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
