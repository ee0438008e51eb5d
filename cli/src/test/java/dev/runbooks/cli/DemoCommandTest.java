package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.RunbooksConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code runbook demo}: everything from nothing, reported, and cleaned up (or kept on request). */
class DemoCommandTest {
  private static final Pattern REMOVED = Pattern.compile("Removed the clusters and (\\S+) ");
  private static final Pattern KEPT = Pattern.compile("Kept everything in (\\S+):");
  private static final Pattern DELETED = Pattern.compile("customer_id = \\d+; (\\d+) orders gone");
  private static final Pattern RESTORED =
      Pattern.compile(
          "The restored cluster holds (\\d+) orders, as the primary did before the DELETE"
              + " \\((\\d+)\\): (\\d+) of the (\\d+) deleted orders are there\\.");

  private final Cli cli = new Cli(Cli.isolatedEnv());

  @Test
  void runsTheCheckAndAVerifiedBackupOnAFreshPrimaryAndReplicaAndRemovesEverything() {
    Cli.Result demo = cli.run("demo");
    assertEquals(0, demo.code(), demo.toString());
    assertTrue(demo.out().contains("Check of orders"), demo.toString());
    assertTrue(
        demo.out().contains("[OK]       replicas          replica demo-replica"), demo.toString());
    assertFalse(demo.out().contains("[CRITICAL]"), demo.toString());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(
                l -> l.startsWith("  check   check-orders-") && l.contains("SUCCEEDED (exit 0)")),
        demo.toString());
    assertTrue(demo.out().contains("drill       passed"), demo.toString());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("  backup  backup-orders-")
                        && l.contains("SUCCEEDED (exit 0)")
                        && l.endsWith("drill passed")),
        demo.toString());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(
                l -> l.startsWith("  backups backups-orders-") && l.contains("FRESH (exit 0)")),
        demo.toString());
    assertTrue(demo.out().contains("Newest verified backup: "), demo.toString());
    assertTrue(
        demo.out().contains("logs in as orders_app_b (version 2) and counts"), demo.toString());
    assertTrue(demo.out().contains("the demo approves it as demo-approver"), demo.toString());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("  migrate migrate-catalog-")
                        && l.contains("SUCCEEDED (exit 0)")
                        && l.contains("V4, 4 applied, backup ")),
        demo.toString());
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("  switch  failover-orders-")
                        && l.contains("SUCCEEDED (exit 0)")
                        && l.contains("demo-replica promoted, 0 bytes lost")
                        && l.contains(", pooler 127.0.0.1:")
                        && l.contains(" resumed, orders on the new primary")),
        demo.toString());
    assertTrue(
        demo.out().contains("== archive start --target orders: archive-orders streams"),
        demo.toString());
    assertSummaryLine(demo, "  backup  backup-orders-", "SUCCEEDED (exit 0)", " physical ");
    assertTrue(
        demo.out().contains("DELETE FROM orders WHERE status = 'new'   -- meant: AND customer_id"),
        demo.toString());
    Matcher incident = DELETED.matcher(demo.out());
    assertTrue(incident.find(), demo.toString());
    Matcher restored = RESTORED.matcher(demo.out());
    assertTrue(restored.find(), demo.toString());
    assertEquals(
        DemoCommand.ORDERS + DemoPitr.NEW_ORDERS,
        Integer.parseInt(restored.group(1)),
        "the restored cluster held every order of before the DELETE: " + demo);
    assertEquals(restored.group(1), restored.group(2), demo.toString());
    assertEquals(incident.group(1), restored.group(3), "it held every deleted order: " + demo);
    assertEquals(incident.group(1), restored.group(4), demo.toString());
    assertTrue(
        demo.out()
            .contains(
                "Copied them back into the primary: "
                    + (DemoCommand.ORDERS + DemoPitr.NEW_ORDERS)
                    + " orders again."),
        demo.toString());
    assertSummaryLine(
        demo,
        "  restore restore-orders-",
        "SUCCEEDED (exit 0)",
        incident.group(1) + " of " + incident.group(1) + " deleted orders back");
    assertTrue(
        demo.out()
            .contains("Stopped the WAL archiver and dropped its slot runbooks_archive_orders"),
        demo.toString());
    // PgBouncer is installed here (the pooled tests need it): the demo's clients go through it.
    assertTrue(demo.out().contains(" in front of the primary (failover.pooler)"), demo.toString());
    assertTrue(demo.out().contains(": a write lands on the server on port "), demo.toString());
    Matcher removed = REMOVED.matcher(demo.out());
    assertTrue(removed.find(), demo.toString());
    assertFalse(Files.exists(Path.of(removed.group(1))), "the demo directory is gone");
  }

  @Test
  void keepLeavesAWorkingSetupAndItsPrintedStopCommandsWork() throws Exception {
    Cli.Result demo = cli.run("demo", "--keep");
    assertEquals(0, demo.code(), demo.toString());
    Matcher kept = KEPT.matcher(demo.out());
    assertTrue(kept.find(), demo.toString());
    Path dir = Path.of(kept.group(1));
    try {
      Path config = dir.resolve("runbooks.yaml");
      RunbooksConfig loaded = ConfigLoader.load(config, Map.of());
      assertTrue(loaded.targets().containsKey("orders"), loaded.targets().keySet().toString());
      assertEquals(
          PosixFilePermissions.fromString("rw-------"),
          Files.getPosixFilePermissions(dir.resolve("secrets.json")));

      Cli.Result again =
          cli.run("check", "--target", "orders", "--embedded", "--config", config.toString());
      assertEquals(0, again.code(), again.toString());
    } finally {
      for (String line : demo.out().lines().toList()) {
        if (line.contains("pg_ctl -D ")) {
          run(line.strip());
        }
      }
      run("rm -rf " + dir);
    }
    assertFalse(Files.exists(dir));
  }

  @Test
  void missingPostgresBinariesSayWhatToInstallAndExitTwo(@TempDir Path empty) {
    Cli.Result demo = cli.with("RUNBOOKS_PG_BIN", empty.toString()).run("demo");
    assertEquals(2, demo.code(), demo.toString());
    assertTrue(demo.err().contains("no executable initdb"), demo.toString());
    assertTrue(demo.err().toLowerCase().contains("install"), demo.toString());
  }

  @Test
  void demoRefusesSettingsItMakesItself() {
    Cli.Result demo = cli.run("demo", "--temporal", "127.0.0.1:7233");
    assertEquals(2, demo.code(), demo.toString());
    assertTrue(demo.err().contains("runbook dev"), demo.toString());
  }

  /**
   * The demo's summary has a line starting with {@code start} that holds every one of {@code
   * parts}.
   */
  private static void assertSummaryLine(Cli.Result demo, String start, String... parts) {
    assertTrue(
        demo.out()
            .lines()
            .anyMatch(l -> l.startsWith(start) && List.of(parts).stream().allMatch(l::contains)),
        start + " ... " + List.of(parts) + " in: " + demo);
  }

  /** Runs one of the printed shell commands, split on spaces (the demo's paths have none). */
  private static void run(String command) throws IOException, InterruptedException {
    List<String> argv = new ArrayList<>(List.of(command.split(" +")));
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), command);
    assertEquals(0, p.exitValue(), command + ": " + output);
  }
}
