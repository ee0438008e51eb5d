package dev.runbooks.bench;

import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The lock guard's figure: while a long transaction holds a lock that conflicts with ACCESS
 * EXCLUSIVE on {@code app.events} for {@link #HOLD} after a migration first queues behind it, and
 * {@link #CLIENTS} clients run short queries on the same table, a version that needs ACCESS
 * EXCLUSIVE is applied. Plain Flyway's ALTER waits in the lock queue and every client's query
 * queues behind it; the runbook's gives up after its lock timeout and tries again. The figure is
 * the clients' p99 latency over the queries that ran while the lock was held.
 */
final class LockGuardScenario {
  static final Duration HOLD = Duration.ofSeconds(10);
  static final int CLIENTS = 16;

  /** How a migration is applied: it returns once it is done, whether it applied the version. */
  interface Migration {
    boolean apply(String database, Path migrations) throws Exception;
  }

  /** One scenario's outcome. */
  record Result(double p99Millis, double maxMillis, int queries, boolean applied, Duration held) {}

  private final LocalCluster cluster;

  LockGuardScenario(LocalCluster cluster) {
    this.cluster = cluster;
  }

  /** The one version: it rewrites nothing but needs ACCESS EXCLUSIVE for an instant. */
  static Path migrations(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("V1__events_flag.sql"), "ALTER TABLE app.events ADD COLUMN flag int;\n");
    Files.writeString(
        dir.resolve("U1__events_flag.sql"), "ALTER TABLE app.events DROP COLUMN flag;\n");
    return dir;
  }

  Result run(String database, Path migrations, Migration migration) throws Exception {
    AtomicBoolean stop = new AtomicBoolean();
    ConcurrentLinkedQueue<long[]> samples = new ConcurrentLinkedQueue<>();
    long maxId;
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT max(id) FROM app.events")) {
      rs.next();
      maxId = Math.max(1, rs.getLong(1));
    }
    List<CompletableFuture<Void>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      clients.add(CompletableFuture.runAsync(() -> client(database, maxId, stop, samples), pool()));
    }
    try (Connection holder = cluster.connect(database)) {
      holder.setAutoCommit(false);
      try (Statement s = holder.createStatement()) {
        s.execute("SET application_name = 'long-report'");
        s.executeQuery("SELECT count(*) FROM (SELECT 1 FROM app.events LIMIT 1) x").close();
      }
      CompletableFuture<Boolean> applying =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return migration.apply(database, migrations);
                } catch (Exception e) {
                  throw new BenchException("the migration failed: " + e.getMessage());
                }
              },
              pool());
      long queued = awaitQueued(database, applying);
      long released = queued + HOLD.toNanos();
      while (System.nanoTime() < released) {
        Thread.sleep(50);
      }
      holder.commit();
      boolean applied = applying.get();
      stop.set(true);
      CompletableFuture.allOf(clients.toArray(new CompletableFuture<?>[0])).get();
      List<Long> during = new ArrayList<>();
      for (long[] q : samples) {
        long end = q[0] + q[1];
        if (end >= queued && q[0] <= released) {
          during.add(q[1]);
        }
      }
      during.sort(null);
      double p99 =
          during.isEmpty()
              ? 0
              : during.get(Math.min(during.size() - 1, (int) Math.ceil(during.size() * 0.99) - 1))
                  / 1e6;
      double max = during.isEmpty() ? 0 : during.get(during.size() - 1) / 1e6;
      return new Result(
          p99,
          max,
          during.size(),
          applied && hasFlag(database),
          Duration.ofNanos(released - queued));
    } finally {
      stop.set(true);
    }
  }

  private static java.util.concurrent.Executor pool() {
    return r -> {
      Thread t = new Thread(r, "lock-guard-bench");
      t.setDaemon(true);
      t.start();
    };
  }

  /** One client: short point queries, each timed, until told to stop. */
  private void client(
      String database, long maxId, AtomicBoolean stop, ConcurrentLinkedQueue<long[]> samples) {
    try (Connection c = cluster.connect(database);
        PreparedStatement q = c.prepareStatement("SELECT payload FROM app.events WHERE id = ?")) {
      while (!stop.get()) {
        q.setLong(1, 1 + ThreadLocalRandom.current().nextLong(maxId));
        long started = System.nanoTime();
        q.executeQuery().close();
        samples.add(new long[] {started, System.nanoTime() - started});
      }
    } catch (SQLException e) {
      throw new BenchException("a client's query failed: " + e.getMessage());
    }
  }

  /** Waits until a session queues for ACCESS EXCLUSIVE on app.events; returns when it did. */
  private long awaitQueued(String database, CompletableFuture<Boolean> applying) throws Exception {
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM pg_locks WHERE NOT granted AND mode = 'AccessExclusiveLock'"
                    + " AND relation = 'app.events'::regclass")) {
          rs.next();
          if (rs.getLong(1) > 0) {
            return System.nanoTime();
          }
        }
        if (applying.isDone()) {
          throw new BenchException(
              "the migration ended before it ever queued for its lock: " + applying.get());
        }
        Thread.sleep(20);
      }
    }
  }

  private boolean hasFlag(String database) throws SQLException {
    try (Connection c = cluster.connect(database);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT count(*) FROM information_schema.columns WHERE table_schema = 'app'"
                    + " AND table_name = 'events' AND column_name = 'flag'")) {
      rs.next();
      return rs.getLong(1) == 1;
    }
  }
}
