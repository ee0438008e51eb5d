package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The switchover's pooled mode: the same fresh clusters with a real PgBouncer (transaction pooling)
 * in front of the primary, named under {@code failover.pooler}, and {@value #CLIENTS} clients
 * writing through it, each on its own connection, while {@code runbook failover --planned} runs.
 * The runbook pauses PgBouncer before fencing and resumes it on the new primary, so a client should
 * see a wait, never an error. Figures: failed queries and lost writes summed over the runs, and the
 * median over the runs of the longest any client query waited.
 */
final class PooledSwitchover {
  static final int CLIENTS = 8;
  static final double TARGET_PAUSE_MS = 1000;
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final int runs;
  private final Path work;

  PooledSwitchover(PrintStream out, int runs, Path work) {
    this.out = out;
    this.runs = runs;
    this.work = work;
  }

  record Run(long failed, long longestWaitMs, long lost, long acknowledged, String firstFailure) {}

  void report() throws Exception {
    List<Long> waits = new ArrayList<>();
    long failed = 0;
    long lost = 0;
    for (int i = 1; i <= runs; i++) {
      Run r = once(i);
      out.printf(
          Locale.ROOT,
          "pooled run %d: %d clients through PgBouncer, longest query wait %d ms, %d failed"
              + " queries, %d acknowledged, %d lost%s%n",
          i,
          CLIENTS,
          r.longestWaitMs(),
          r.failed(),
          r.acknowledged(),
          r.lost(),
          r.firstFailure().isEmpty() ? "" : "; first failure: " + r.firstFailure());
      waits.add(r.longestWaitMs());
      failed += r.failed();
      lost += r.lost();
    }
    waits.sort(null);
    long median = waits.get(waits.size() / 2);
    out.printf(
        Locale.ROOT,
        "pooled: longest query wait median %d ms (target < %.0f ms on a quiet machine: %s),"
            + " %d failed queries (target 0), %d lost writes (target 0)%n",
        median,
        TARGET_PAUSE_MS,
        median < TARGET_PAUSE_MS ? "met" : "NOT met",
        failed,
        lost);
    out.println("FIGURE switchover_pooled_failed_queries " + failed);
    out.println("FIGURE switchover_pooled_pause_ms_median " + median);
    out.println("FIGURE switchover_pooled_lost_writes " + lost);
  }

  private Run once(int n) throws Exception {
    Path dir = Files.createDirectories(work.resolve("pooled" + n));
    try (LocalCluster primary = LocalCluster.builder().name("primary").start();
        LocalCluster r0 = primary.createReplica("replica0");
        LocalCluster r1 = primary.createReplica("replica1");
        LocalPgBouncer bouncer =
            LocalPgBouncer.builder()
                .name("bench")
                .trust()
                .database("postgres", primary)
                .user("app", "app")
                .start()) {
      SwitchoverBench.prepare(primary);
      Path config =
          SwitchoverBench.config(
              dir,
              primary,
              r0,
              r1,
              "      pooler: { host: "
                  + bouncer.host()
                  + ", port: "
                  + bouncer.port()
                  + ", admin: { user: "
                  + LocalPgBouncer.ADMIN_USER
                  + " }, ini: "
                  + bouncer.iniFile()
                  + " }\n");
      Clients clients = new Clients(bouncer.jdbcUrl("postgres"));
      try {
        clients.awaitAcknowledged(300);
        Child.Outcome o = SwitchoverBench.failover(dir, config);
        clients.awaitAcknowledged(clients.acknowledged.size() + 300);
        JsonNode failover = JSON.readTree(o.out()).get("failover");
        clients.stop();
        LocalCluster promoted = failover.get("newPrimary").asText().equals("replica0") ? r0 : r1;
        Set<Long> present = SwitchoverBench.present(promoted);
        long lost = clients.acknowledged.stream().filter(a -> !present.contains(a)).count();
        return new Run(
            clients.failed.get(),
            clients.longestNanos.get() / 1_000_000,
            lost,
            clients.acknowledged.size(),
            clients.firstFailure);
      } finally {
        clients.stop();
      }
    }
  }

  /** {@value #CLIENTS} writers through the pooler; each failed query counts, and each wait. */
  static final class Clients {
    final Set<Long> acknowledged = new ConcurrentSkipListSet<>();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong longestNanos = new AtomicLong();
    volatile String firstFailure = "";
    private final List<Thread> threads = new ArrayList<>();
    private final String url;
    private volatile boolean stopped;

    Clients(String url) {
      this.url = url;
      for (int i = 1; i <= CLIENTS; i++) {
        long first = i * 100_000_000L;
        Thread t = new Thread(() -> write(first), "pooled-client-" + i);
        threads.add(t);
        t.start();
      }
    }

    void awaitAcknowledged(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (acknowledged.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }

    void stop() throws InterruptedException {
      stopped = true;
      for (Thread t : threads) {
        t.join(30_000);
      }
    }

    private void write(long first) {
      Properties p = new Properties();
      p.setProperty("user", "app");
      p.setProperty("connectTimeout", "10");
      long n = first;
      Connection c = null;
      while (!stopped) {
        long started = System.nanoTime();
        try {
          if (c == null) {
            c = DriverManager.getConnection(url, p);
          }
          n++;
          try (PreparedStatement s = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
            s.setLong(1, n);
            s.executeUpdate();
          }
          acknowledged.add(n);
        } catch (SQLException e) {
          if (failed.getAndIncrement() == 0) {
            firstFailure = e.getSQLState() + " " + e.getMessage();
          }
          SwitchoverBench.Writer.close(c);
          c = null;
        }
        longestNanos.accumulateAndGet(System.nanoTime() - started, Math::max);
      }
      SwitchoverBench.Writer.close(c);
    }
  }
}
