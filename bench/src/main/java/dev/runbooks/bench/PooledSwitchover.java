package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.testing.WritingClients;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

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
      WritingClients clients =
          new WritingClients(bouncer.jdbcUrl("postgres"), "app", null, CLIENTS);
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
            clients.failures.size(),
            clients.longestWaitMillis(),
            lost,
            clients.acknowledged.size(),
            clients.failures.isEmpty() ? "" : clients.failures.get(0));
      } finally {
        clients.stop();
      }
    }
  }
}
