package dev.runbooks.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The write outage of a planned switchover, as a client sees it: on fresh local clusters (a primary
 * and two streaming replicas, trust authentication, fsync off) a writer inserts 1, 2, 3, ... as an
 * application role through a multi-host JDBC URL ({@code targetServerType=primary}, so it finds
 * whichever server takes writes) while {@code runbook failover --planned} runs in this JVM
 * (embedded Temporal service and worker). The outage is the longest gap between two acknowledged
 * inserts; lost writes are acknowledged inserts missing on the new primary. Beside it, the
 * runbook's own figure (fence to its canary write). Each run makes new clusters: a switchover uses
 * them up.
 */
public final class SwitchoverBench {
  static final double TARGET_OUTAGE_MS = 1000;
  static final Path RUNBOOK_JAR = Path.of("cli/target/runbook.jar");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintStream out;
  private final int runs;
  private final Path work;

  SwitchoverBench(PrintStream out, int runs, Path work) {
    this.out = out;
    this.runs = runs;
    this.work = work;
  }

  public static void main(String[] args) throws Exception {
    int runs = 5;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs") && i + 1 < args.length) {
        runs = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println("Usage: bench/switchover [--runs N]   (default 5)");
        return;
      } else {
        System.err.println("bench/switchover: unknown argument " + args[i] + "; see --help");
        System.exit(2);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    if (!Files.isRegularFile(RUNBOOK_JAR)) {
      System.err.println(
          "bench/switchover: expected the runbook CLI at "
              + RUNBOOK_JAR
              + "; build it with ./mvnw -B -q -pl bench -am package -DskipTests (the script does).");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("bench-switchover");
    System.exit(new SwitchoverBench(out, runs, work).run());
  }

  record Run(long outageMs, long runbookOutageMs, long lost, long acknowledged, long totalMs) {}

  int run() throws Exception {
    List<Run> results = new ArrayList<>();
    for (int i = 1; i <= runs; i++) {
      Run r = once(i);
      results.add(r);
      out.printf(
          Locale.ROOT,
          "run %d: client-observed outage %d ms, runbook's (fence -> canary) %d ms, %d"
              + " acknowledged, %d lost, runbook steps %d ms%n",
          i,
          r.outageMs(),
          r.runbookOutageMs(),
          r.acknowledged(),
          r.lost(),
          r.totalMs());
    }
    List<Long> outages = new ArrayList<>();
    long lost = 0;
    for (Run r : results) {
      outages.add(r.outageMs());
      lost += r.lost();
    }
    outages.sort(null);
    long median = outages.get(outages.size() / 2);
    List<Long> runbook = new ArrayList<>(results.stream().map(Run::runbookOutageMs).toList());
    runbook.sort(null);
    out.printf(
        Locale.ROOT,
        "outage median %d ms (target < %.0f ms: %s); the runbook's own median %d ms%n",
        median,
        TARGET_OUTAGE_MS,
        median < TARGET_OUTAGE_MS ? "met" : "NOT met",
        runbook.get(runbook.size() / 2));
    out.println("FIGURE switchover_outage_ms_median " + median);
    out.println("FIGURE switchover_outage_ms_min " + outages.get(0));
    out.println("FIGURE switchover_outage_ms_max " + outages.get(outages.size() - 1));
    out.println("FIGURE switchover_lost_writes " + lost);
    return 0;
  }

  private Run once(int n) throws Exception {
    Path dir = Files.createDirectories(work.resolve("run" + n));
    try (LocalCluster primary = LocalCluster.builder().name("primary").start();
        LocalCluster r0 = primary.createReplica("replica0");
        LocalCluster r1 = primary.createReplica("replica1")) {
      primary.execute(
          "postgres",
          "CREATE ROLE app LOGIN",
          "CREATE TABLE seq (n bigint PRIMARY KEY)",
          "GRANT INSERT, SELECT ON seq TO app");
      Path config = config(dir, primary, r0, r1);
      Writer writer = new Writer(primary, r0, r1);
      Thread thread = new Thread(writer, "writer");
      thread.start();
      writer.awaitAcknowledged(300);
      Map<String, String> env = BenchEnvironment.cleanEnvironment();
      env.put("RUNBOOKS_CONFIG", config.toString());
      Child.Outcome o =
          Child.run(
                  "runbook failover",
                  BenchEnvironment.runbookCommand(
                      BenchEnvironment.measuredJvm(),
                      RUNBOOK_JAR.toAbsolutePath(),
                      List.of(
                          "failover",
                          "--target",
                          "bench",
                          "--planned",
                          "--embedded",
                          "--output",
                          "json")),
                  env,
                  dir,
                  dir,
                  "failover",
                  Duration.ofMinutes(5),
                  false)
              .requireSuccess();
      int before = writer.acks.size();
      long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
      while (writer.acks.size() < before + 300 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      writer.stopped = true;
      thread.join(10_000);
      JsonNode failover = JSON.readTree(o.out()).get("failover");
      LocalCluster promoted = failover.get("newPrimary").asText().equals("replica0") ? r0 : r1;
      long runbookMs = 0;
      for (JsonNode step : failover.get("steps")) {
        runbookMs += Duration.parse(step.get("duration").asText()).toMillis();
      }
      return new Run(
          writer.longestGapMs(),
          Duration.parse(failover.get("writeOutage").asText()).toMillis(),
          lost(promoted, writer.acks),
          writer.acks.size(),
          runbookMs);
    }
  }

  private static Path config(Path dir, LocalCluster p, LocalCluster r0, LocalCluster r1)
      throws IOException {
    return Files.writeString(
        dir.resolve("runbooks.yaml"),
        "targets:\n"
            + "  bench:\n"
            + "    primary: { host: 127.0.0.1, port: "
            + p.port()
            + ", database: postgres, sslmode: disable }\n"
            + "    replicas:\n"
            + "      - { name: replica0, host: 127.0.0.1, port: "
            + r0.port()
            + " }\n"
            + "      - { name: replica1, host: 127.0.0.1, port: "
            + r1.port()
            + " }\n"
            + "    admin: { user: postgres }\n"
            + "    production: false\n"
            + "secrets: file://secrets.json\n");
  }

  private static long lost(LocalCluster promoted, List<Ack> acks) throws SQLException {
    Set<Long> present = new HashSet<>();
    try (Connection c = promoted.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT n FROM seq")) {
      while (rs.next()) {
        present.add(rs.getLong(1));
      }
    }
    return acks.stream().filter(a -> !present.contains(a.n())).count();
  }

  record Ack(long n, long nanos) {}

  /** Inserts as the application role wherever the primary is, recording each acknowledgement. */
  static final class Writer implements Runnable {
    final List<Ack> acks = new CopyOnWriteArrayList<>();
    volatile boolean stopped;
    private final String url;

    Writer(LocalCluster... servers) {
      StringBuilder hosts = new StringBuilder();
      for (LocalCluster s : servers) {
        hosts.append(hosts.length() == 0 ? "" : ",").append("127.0.0.1:").append(s.port());
      }
      // hostRecheckSeconds=0: pgjdbc would otherwise remember for 10 s that a host was not the
      // primary, and the outage measured would be its cache.
      url =
          "jdbc:postgresql://"
              + hosts
              + "/postgres?targetServerType=primary&hostRecheckSeconds=0&connectTimeout=2";
    }

    void awaitAcknowledged(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (acks.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(5);
      }
    }

    long longestGapMs() {
      long gap = 0;
      for (int i = 1; i < acks.size(); i++) {
        gap = Math.max(gap, acks.get(i).nanos() - acks.get(i - 1).nanos());
      }
      return gap / 1_000_000;
    }

    @Override
    public void run() {
      Properties p = new Properties();
      p.setProperty("user", "app");
      long n = 0;
      Connection c = null;
      while (!stopped) {
        try {
          if (c == null) {
            c = DriverManager.getConnection(url, p);
          }
          n++;
          try (PreparedStatement s = c.prepareStatement("INSERT INTO seq VALUES (?)")) {
            s.setLong(1, n);
            s.executeUpdate();
          }
          acks.add(new Ack(n, System.nanoTime()));
        } catch (SQLException e) {
          close(c);
          c = null;
          try {
            Thread.sleep(2);
          } catch (InterruptedException ie) {
            return;
          }
        }
      }
      close(c);
    }

    private static void close(Connection c) {
      if (c != null) {
        try {
          c.close();
        } catch (SQLException ignored) {
          // already gone
        }
      }
    }
  }
}
