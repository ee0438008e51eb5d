package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.activities.testing.SecretScan;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.check.CheckWorkflowImpl;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against the port-bound embedded Temporal with a real worker and a real PostgreSQL primary
 * and replica: the path an engineer takes with {@code runbook dev} in one terminal and the CLI in
 * another.
 */
class CheckEndToEndTest {
  private static final String PASSWORD = "e2e-Secr3t-" + Long.toHexString(System.nanoTime());
  private static final Pattern STARTED = Pattern.compile("Started (\\S+) on ");
  private static final ObjectMapper JSON = new ObjectMapper();

  @RegisterExtension
  static final PostgresExtension pg =
      PostgresExtension.newPrimary().withReplicas(1).withScram(PASSWORD);

  @TempDir static Path dir;

  private static EmbeddedRunbooks local;
  private static Cli cli;

  @BeforeAll
  static void startWorker() throws IOException {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    SecretStores.open("file://" + dir.resolve("secrets.json"), dir)
        .write(
            "db/orders/admin",
            Map.of("username", "postgres", "password", PASSWORD),
            OptionalInt.of(0));
    String primary = "{ host: 127.0.0.1, port: " + pg.primary().port() + ", database: postgres }";
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: "
                + primary
                + "\n    replicas: [ { name: "
                + pg.replica(0).name()
                + ", host: 127.0.0.1, port: "
                + pg.replica(0).port()
                + " } ]\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "  broken:\n"
                + "    primary: "
                + primary
                + "\n    replicas: [ { name: gone, host: 127.0.0.1, port: "
                + closed
                + " } ]\n"
                + "    admin: { secret: db/orders/admin }\n"
                + "secrets: file://secrets.json\n");
    local = EmbeddedRunbooks.start(0, ConfigLoader.load(config, Map.of()), "runbooks");
    cli =
        new Cli(Cli.isolatedEnv())
            .with("TEMPORAL_ADDRESS", local.temporal().address())
            .with("RUNBOOKS_CONFIG", config.toString());
  }

  @AfterAll
  static void stopWorker() {
    local.close();
  }

  private static String startedId(Cli.Result result) {
    Matcher m = STARTED.matcher(result.out());
    assertTrue(m.find(), result.toString());
    return m.group(1);
  }

  private static void assertNoPassword(Cli.Result result) {
    assertFalse(
        result.out().contains(PASSWORD) || result.err().contains(PASSWORD), "password shown");
  }

  @Test
  void checkWaitsPrintsTheReportAndThenListAndStatusShowTheRun() throws Exception {
    Cli.Result check = cli.run("check", "--target", "orders", "--wait");
    assertEquals(0, check.code(), check.toString());
    String id = startedId(check);
    assertTrue(id.matches("check-orders-\\d{8}T\\d{6}"), id);
    assertTrue(
        check.out().contains("Check of orders (127.0.0.1:" + pg.primary().port() + "/postgres)"),
        check.toString());
    assertTrue(check.out().contains("[OK]       connectivity"), check.toString());
    assertFalse(check.out().contains("[CRITICAL]"), check.toString());
    assertTrue(check.out().contains(id + ": SUCCEEDED (exit 0)"), check.toString());
    assertNoPassword(check);

    Cli.Result list = cli.run("list");
    assertEquals(0, list.code(), list.toString());
    assertTrue(
        list.out()
            .lines()
            .anyMatch(
                l ->
                    l.startsWith(id)
                        && l.contains(" check ")
                        && l.contains(" orders ")
                        && l.contains("SUCCEEDED")),
        list.toString());

    Cli.Result status = cli.run("status", id, "--output", "json");
    assertEquals(0, status.code(), status.toString());
    JsonNode json = JSON.readTree(status.out());
    assertEquals(id, json.path("workflowId").asText());
    assertEquals("check", json.path("kind").asText());
    assertEquals("orders", json.path("target").asText());
    assertEquals("COMPLETED", json.path("status").asText());
    assertEquals("SUCCEEDED", json.path("outcome").asText());
    assertEquals(
        "check orders @ 127.0.0.1:" + pg.primary().port() + "/postgres",
        json.path("summary").asText());
    List<String> steps = new ArrayList<>();
    for (JsonNode step : json.path("steps")) {
      assertEquals("DONE", step.path("state").asText(), step.toString());
      steps.add(step.path("name").asText());
    }
    assertEquals(CheckWorkflowImpl.stepNames(), steps);

    SecretScan.assertNoSecrets(local.connection().client(), id, List.of(PASSWORD));
  }

  @Test
  void aReplicaThatDoesNotAnswerIsCriticalAndExitsOne() throws Exception {
    Cli.Result check = cli.run("check", "--target", "broken", "--wait");
    assertEquals(1, check.code(), check.toString());
    assertTrue(check.out().contains("[CRITICAL] replicas"), check.toString());
    assertTrue(check.out().contains("gone"), check.toString());
    String id = startedId(check);
    assertTrue(check.out().contains(id + ": FAILED (exit 1)"), check.toString());

    Cli.Result status = cli.run("status", id);
    assertEquals(1, status.code(), status.toString());

    Cli.Result json =
        cli.run("check", "--target", "broken", "--wait", "--output", "json", "--id", "broken-json");
    assertEquals(1, json.code(), json.toString());
    Schemas.assertValid("check", json);
    JsonNode report = JSON.readTree(json.out());
    assertEquals("CRITICAL", report.path("worst").asText());
    boolean replicas = false;
    for (JsonNode finding : report.path("findings")) {
      replicas |=
          finding.path("check").asText().contains("replica")
              && finding.path("severity").asText().equals("CRITICAL");
    }
    assertTrue(replicas, json.out());
  }

  @Test
  void withoutWaitItPrintsOnlyTheWorkflowIdAndWatchFollowsIt() {
    Cli.Result started = cli.run("check", "--target", "orders", "--id", "check-orders-by-hand");
    assertEquals(0, started.code(), started.toString());
    assertEquals("check-orders-by-hand\n", started.out());
    assertTrue(started.err().contains("runbook watch check-orders-by-hand"), started.toString());

    Cli.Result watched = cli.run("watch", "check-orders-by-hand");
    assertEquals(0, watched.code(), watched.toString());
    assertTrue(watched.out().contains("[DONE]        connectivity"), watched.toString());
    assertTrue(
        watched.out().contains("check-orders-by-hand: SUCCEEDED (exit 0)"), watched.toString());
  }
}
