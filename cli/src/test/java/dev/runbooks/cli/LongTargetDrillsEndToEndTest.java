package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two restore drills of one verified backup at once, for a target whose name takes all 63 bytes
 * (issue 11, item 4), through the real CLI against the in-memory Temporal service and a real
 * worker: each drill restores into its own scratch database, both pass and drop it, and the backup
 * stays verified. Scratch names cut to 63 bytes made both drills share one database, so one of them
 * failed on the other's.
 */
class LongTargetDrillsEndToEndTest {
  private static final String TARGET =
      "shop-orders-of-the-northern-region-warehouse-and-its-stores-eu1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int ROWS = 300_000;

  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  @Test
  void twoConcurrentDrillsOfALongNamedTargetEachPassInTheirOwnScratchDatabase() throws Exception {
    assertEquals(63, TARGET.length());
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute(
        "shop",
        "CREATE TABLE orders (id bigint PRIMARY KEY, note text)",
        "INSERT INTO orders SELECT g, repeat(md5(g::text), 4) FROM generate_series(1, "
            + ROWS
            + ") g",
        "CREATE INDEX orders_note_idx ON orders (note)");
    Path config = ShopConfig.write(dir, primary, TARGET, "");
    try (EmbeddedRunbooks local =
        EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks")) {
      Cli cli =
          new Cli(Cli.isolatedEnv())
              .with("RUNBOOKS_CONFIG", config.toString())
              .with("TEMPORAL_ADDRESS", local.temporal().address());
      Cli.Result backup = cli.run("backup", "--target", TARGET, "--wait");
      assertEquals(ExitCodes.DONE, backup.code(), backup.toString());
      Matcher m = Pattern.compile("Backup (\\S+) of " + TARGET).matcher(backup.out());
      assertTrue(m.find(), backup.toString());
      String backupId = m.group(1);
      assertEquals(0, scratchDatabases().size(), "the backup's own drill dropped its database");

      // Its own two threads: the common pool has one thread on a two-core machine.
      ExecutorService threads = Executors.newFixedThreadPool(2);
      List<Future<Cli.Result>> drills =
          List.of(
              threads.submit(() -> drill(cli, backupId, "first")),
              threads.submit(() -> drill(cli, backupId, "second")));
      threads.shutdown();
      Set<String> seen = new HashSet<>();
      int together = 0;
      Instant deadline = Instant.now().plus(Duration.ofMinutes(5));
      while (!drills.stream().allMatch(Future::isDone)) {
        assertTrue(Instant.now().isBefore(deadline), "the drills did not end within 5 minutes");
        Set<String> now = scratchDatabases();
        seen.addAll(now);
        together = Math.max(together, now.size());
        Thread.sleep(20);
      }
      for (Future<Cli.Result> drill : drills) {
        Cli.Result r = drill.get(1, TimeUnit.SECONDS);
        assertEquals(ExitCodes.DONE, r.code(), r.toString());
        JsonNode result = JSON.readTree(r.out()).path("drill");
        assertTrue(result.path("passed").asBoolean(), r.toString());
        assertEquals(backupId, result.path("backupId").asText(), r.toString());
      }
      assertEquals(2, seen.size(), "one scratch database per drill: " + seen);
      assertEquals(2, together, "the drills overlapped, each in its own database: " + seen);
      for (String name : seen) {
        assertTrue(name.getBytes(StandardCharsets.UTF_8).length <= 63, name);
      }
      assertEquals(Set.of(), scratchDatabases(), "both drills dropped their scratch database");

      Path verdict = dir.resolve("backups/" + TARGET + "/" + backupId + "/verdict.json");
      assertTrue(JSON.readTree(verdict.toFile()).path("passed").asBoolean(), verdict.toString());
      Cli.Result list = cli.run("backups", "--target", TARGET, "--output", "json");
      assertEquals(ExitCodes.DONE, list.code(), list.toString());
      assertEquals(backupId, JSON.readTree(list.out()).path("newestVerified").asText(), list.out());
    }
  }

  private static Cli.Result drill(Cli cli, String backupId, String which) {
    return cli.run(
        "restore-drill",
        "--target",
        TARGET,
        "--backup",
        backupId,
        "--wait",
        "--id",
        "restore-drill-" + TARGET + "-" + which,
        "--output",
        "json");
  }

  private static Set<String> scratchDatabases() throws SQLException {
    Set<String> names = new HashSet<>();
    try (Connection c = pg.primary().connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT datname FROM pg_database WHERE datname LIKE 'drill\\_%'")) {
      while (rs.next()) {
        names.add(rs.getString(1));
      }
    }
    return names;
  }
}
