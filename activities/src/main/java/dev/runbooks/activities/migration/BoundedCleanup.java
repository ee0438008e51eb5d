package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.SqlFaults;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;

/**
 * Cleanup statements (what a failed script left behind) with a bound: {@code lock_timeout} and
 * {@code statement_timeout} on their session. While one runs, {@link LockWaits} remembers who
 * blocks it ({@code pg_blocking_pids}), so that a cleanup that gives up names whom it waited for; a
 * {@code DROP INDEX CONCURRENTLY} behind a long transaction otherwise waits as long as that
 * transaction lasts.
 */
final class BoundedCleanup {
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
      try (LockWaits waits = LockWaits.watch(opener, Set.of(pid))) {
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
                  + waits.blockers(),
              e);
        }
      }
    }
  }

  /** 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout). */
  static boolean timedOut(SQLException e) {
    return "55P03".equals(e.getSQLState()) || "57014".equals(e.getSQLState());
  }
}
