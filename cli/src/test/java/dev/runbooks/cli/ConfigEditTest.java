package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.worker.EmbeddedRunbooks;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker follows edits of {@code runbooks.yaml} without a restart, each run with one version
 * named by its digest, and a client whose configuration differs from the worker's is told so. Two
 * real primaries stand for a target's old and new address.
 */
class ConfigEditTest {
  private static final Pattern STARTED = Pattern.compile("Started (\\S+) on ");

  @RegisterExtension static final PostgresExtension first = PostgresExtension.newPrimary();
  @RegisterExtension static final PostgresExtension second = PostgresExtension.newPrimary();

  /** What the client is told when the worker's primary is the first server, its own the second. */
  private static String whereTheyDiffer() {
    return "they differ in targets.orders.primary: the worker's is 127.0.0.1:"
        + first.primary().port()
        + "/postgres, yours is 127.0.0.1:"
        + second.primary().port()
        + "/postgres";
  }

  @TempDir Path dir;

  private Path file;
  private EmbeddedRunbooks local;
  private Cli cli;

  private static String config(int port) {
    return "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: "
        + port
        + ", database: postgres }\n    admin: { user: postgres }\n";
  }

  @BeforeEach
  void startWorker() throws Exception {
    file = Files.writeString(dir.resolve("runbooks.yaml"), config(first.primary().port()));
    ConfigSource source = ConfigSource.reloading(ConfigLoader.load(file, Map.of()), Map.of());
    local = EmbeddedRunbooks.start(0, source, "runbooks", null);
    cli =
        new Cli(Cli.isolatedEnv())
            .with("TEMPORAL_ADDRESS", local.temporal().address())
            .with("RUNBOOKS_CONFIG", file.toString());
  }

  @AfterEach
  void stopWorker() {
    local.close();
  }

  private static String startedId(Cli.Result result) {
    Matcher m = STARTED.matcher(result.out() + result.err());
    assertTrue(m.find(), result.toString());
    return m.group(1);
  }

  private String firstStepDetail(String id) throws Exception {
    Cli.Result status = cli.run("status", id, "--output", "json");
    JsonNode json = new ObjectMapper().readTree(status.out());
    return json.path("steps").get(0).path("detail").asText();
  }

  @Test
  void aRunAfterAnEditUsesTheNewAddressWithoutARestartAndRecordsTheNewDigest() throws Exception {
    String before = ConfigSource.digest(file);
    Cli.Result one = cli.run("check", "--target", "orders", "--wait");
    assertEquals(0, one.code(), one.toString());
    assertTrue(one.out().contains("at 127.0.0.1:" + first.primary().port()), one.toString());
    assertTrue(firstStepDetail(startedId(one)).contains("digest " + before), one.toString());

    Files.writeString(file, config(second.primary().port()));
    String after = ConfigSource.digest(file);
    Cli.Result two = cli.run("check", "--target", "orders", "--wait", "--id", "after-edit");
    assertEquals(0, two.code(), two.toString());
    assertTrue(two.out().contains("at 127.0.0.1:" + second.primary().port()), two.toString());
    assertFalse(two.out().contains(":" + first.primary().port() + "/"), two.toString());
    String detail = firstStepDetail("after-edit");
    assertTrue(detail.contains("digest " + after), detail);
    assertTrue(detail.contains(file.toAbsolutePath().toString()), detail);
    assertFalse(two.out().contains("NOTE:"), two.toString());
  }

  @Test
  void aBrokenEditFailsTheNextRunWithExitTwoAndTheWorkerServesTheFixedFile() throws Exception {
    // The client keeps a good copy, so it is the worker that meets the broken file.
    Path good = Files.writeString(dir.resolve("good.yaml"), config(first.primary().port()));
    Files.writeString(file, "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: nope }\n");
    Cli.Result broken =
        cli.run("check", "--target", "orders", "--wait", "--config", good.toString());
    assertEquals(2, broken.code(), broken.toString());
    String said = broken.out() + broken.err();
    assertTrue(said.contains("no longer loads since it was edited"), broken.toString());
    assertTrue(said.contains(file.toString()), broken.toString());
    assertTrue(said.contains("port"), broken.toString());
    assertFalse(said.contains("will be retried"), broken.toString());

    Files.writeString(file, config(second.primary().port()));
    Cli.Result fixed = cli.run("check", "--target", "orders", "--wait");
    assertEquals(0, fixed.code(), fixed.toString());
    assertTrue(fixed.out().contains("at 127.0.0.1:" + second.primary().port()), fixed.toString());
  }

  @Test
  void checkWithAnotherConfigIsToldPlainlyThatTheWorkersIsInForceAndWhereItDiffers()
      throws Exception {
    Path other = Files.writeString(dir.resolve("other.yaml"), config(second.primary().port()));
    Cli.Result check =
        cli.run("check", "--target", "orders", "--wait", "--config", other.toString());
    assertEquals(0, check.code(), check.toString());
    String out = check.out();
    assertTrue(out.contains("the worker's configuration is the one in force"), check.toString());
    assertTrue(
        out.contains(file.toAbsolutePath() + " (digest " + ConfigSource.digest(file) + ")"), out);
    assertTrue(
        out.contains(other.toAbsolutePath() + " (digest " + ConfigSource.digest(other) + ")"), out);
    assertTrue(out.contains(whereTheyDiffer()), out);
    Cli.Result started =
        cli.run("check", "--target", "orders", "--config", other.toString(), "--id", "unfollowed");
    assertEquals(0, started.code(), started.toString());
    assertTrue(
        started
            .err()
            .contains(
                "NOTE: --config "
                    + other
                    + " only checked this request: the worker runs it with its own"
                    + " configuration."),
        started.toString());
    // The report's heading names the server that was checked, not the client's.
    assertTrue(
        out.contains("Check of orders (127.0.0.1:" + first.primary().port() + "/postgres)"), out);
  }

  @Test
  void backupsWithAnotherConfigUsesItsFreshnessLimitAndSaysTheWorkersDiffers() throws Exception {
    String repository = "repository: file://" + dir.resolve("backups") + "\n";
    Files.writeString(file, config(first.primary().port()) + repository + "backupFreshness: P1D\n");
    Path other =
        Files.writeString(
            dir.resolve("other.yaml"),
            config(first.primary().port()) + repository + "backupFreshness: PT2H\n");

    Cli.Result backups = cli.run("backups", "--target", "orders", "--config", other.toString());
    assertEquals(1, backups.code(), backups.toString());
    String out = backups.out();
    assertTrue(out.contains("freshness limit 2h00m"), backups.toString());
    assertTrue(out.contains("STALE: no backup of orders"), backups.toString());
    assertTrue(
        out.contains(
            "NOTE: the freshness limit used is 2h00m, from "
                + other.toAbsolutePath()
                + " (targets.orders.backupFreshness, else backupFreshness); the worker's"
                + " configuration says 24h00m."),
        backups.toString());
  }

  @Test
  void backupWithAnotherConfigIsToldWhichServerTheWorkerBackedUp() throws Exception {
    String repository = "repository: file://" + dir.resolve("backups") + "\n";
    Files.writeString(file, config(first.primary().port()) + repository);
    Path other =
        Files.writeString(dir.resolve("other.yaml"), config(second.primary().port()) + repository);

    Cli.Result backup =
        cli.run("backup", "--target", "orders", "--wait", "--config", other.toString());
    String said = backup.out() + backup.err();
    assertTrue(said.contains("the worker's configuration is the one in force"), backup.toString());
    assertTrue(said.contains(whereTheyDiffer()), backup.toString());
  }
}
