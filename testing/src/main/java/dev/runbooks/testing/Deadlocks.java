package dev.runbooks.testing;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/** A real deadlock, for tests of what the server counts in pg_stat_database.deadlocks. */
public final class Deadlocks {
  private Deadlocks() {}

  /**
   * Two sessions update the rows {@code i = 1} and {@code i = 2} of {@code table} (a table with an
   * int column {@code i}) in opposite order; the server ends one of the two statements.
   *
   * @throws IllegalStateException when the server did not break exactly one of them
   */
  public static void provoke(LocalCluster cluster, String database, String table) throws Exception {
    ExecutorService sessions = Executors.newFixedThreadPool(2);
    try (Connection first = cluster.connect(database);
        Connection second = cluster.connect(database)) {
      for (Connection c : List.of(first, second)) {
        c.setAutoCommit(false);
        execute(c, "SET deadlock_timeout = '100ms'");
      }
      execute(first, "UPDATE " + table + " SET i = i WHERE i = 1");
      execute(second, "UPDATE " + table + " SET i = i WHERE i = 2");
      Future<?> a =
          sessions.submit(() -> execute(first, "UPDATE " + table + " SET i = i WHERE i = 2"));
      Future<?> b =
          sessions.submit(() -> execute(second, "UPDATE " + table + " SET i = i WHERE i = 1"));
      int broken = 0;
      for (Future<?> f : List.of(a, b)) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          if (!String.valueOf(e.getCause().getMessage()).contains("deadlock")) {
            throw e;
          }
          broken++;
        }
      }
      if (broken != 1) {
        throw new IllegalStateException("the server broke " + broken + " statements, not one");
      }
      first.rollback();
      second.rollback();
    } finally {
      sessions.shutdownNow();
    }
  }

  private static Void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
    return null;
  }
}
