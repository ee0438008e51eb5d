package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.worker.EmbeddedTemporal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker logs one line per step on stderr, and with {@code --log-format json} each line is a JSON
 * object naming the run (workflow and run ID), the step (activity type) and the target.
 */
class WorkerLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;

  @Test
  void jsonLogLinesNameTheRunTheStepAndTheTarget() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  ghost:\n    primary: { host: 127.0.0.1, port: "
                + closed
                + ", database: ghost }\n    admin: { user: postgres }\n");
    PrintStream original = System.err;
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    System.setErr(new PrintStream(stderr, true, StandardCharsets.UTF_8));
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Map<String, String> env = new HashMap<>(Cli.isolatedEnv());
      env.put("TEMPORAL_ADDRESS", temporal.address());
      env.put("RUNBOOKS_CONFIG", config.toString());
      StringWriter out = new StringWriter();
      Thread worker =
          new Thread(
              () ->
                  new Main(new PrintWriter(out), new PrintWriter(new StringWriter()), env)
                      .run("worker", "--log-format", "json"));
      worker.start();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!out.toString().contains("Ctrl-C")) {
        assertTrue(worker.isAlive() && Instant.now().isBefore(deadline), "no worker: " + out);
        Thread.sleep(100);
      }
      stderr.reset(); // what the embedded service logged before the worker set logging up
      // The client in this JVM shares the logging set-up: it keeps JSON on stderr too.
      Cli.Result check =
          new Cli(env)
              .run("check", "--target", "ghost", "--wait", "--verbose", "--log-format", "json");
      assertEquals(1, check.code(), check.toString());
      worker.interrupt();
      worker.join(Duration.ofSeconds(30).toMillis());
    } finally {
      System.setErr(original);
    }
    List<JsonNode> steps = new ArrayList<>();
    for (String line : stderr.toString(StandardCharsets.UTF_8).split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode json;
      try {
        json = JSON.readTree(line);
      } catch (IOException e) {
        throw new AssertionError("a log line that is not JSON: " + line, e);
      }
      if (json.path("formattedMessage").asText().contains(" done in ")) {
        steps.add(json);
      }
    }
    assertFalse(steps.isEmpty(), "no step line in:\n" + stderr);
    JsonNode step = steps.get(0);
    JsonNode mdc = step.path("mdc");
    assertTrue(mdc.path("WorkflowId").asText().startsWith("check-ghost-"), step.toString());
    assertFalse(mdc.path("RunId").asText().isEmpty(), step.toString());
    assertFalse(mdc.path("ActivityType").asText().isEmpty(), step.toString());
    assertEquals("ghost", mdc.path("Target").asText(), step.toString());
  }
}
