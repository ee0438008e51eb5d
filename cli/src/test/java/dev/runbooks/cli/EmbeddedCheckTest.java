package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --embedded} against a target nobody serves: the report says CRITICAL, exit 1. */
class EmbeddedCheckTest {
  @TempDir Path dir;

  @Test
  void aPrimaryThatDoesNotAnswerIsACriticalFindingAndExitOne() throws IOException {
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
    Cli cli = new Cli(Cli.isolatedEnv());

    Cli.Result text =
        cli.run("check", "--target", "ghost", "--embedded", "--config", config.toString());
    assertEquals(1, text.code(), text.toString());
    assertTrue(text.out().contains("[CRITICAL] connectivity"), text.toString());
    assertTrue(text.out().contains("check-ghost-"), text.toString());
    assertTrue(text.out().contains("[SKIPPED]"), text.toString());

    Cli.Result json =
        cli.run(
            "check",
            "--target",
            "ghost",
            "--embedded",
            "--output",
            "json",
            "--config",
            config.toString());
    assertEquals(1, json.code(), json.toString());
    JsonNode report = new ObjectMapper().readTree(json.out());
    assertEquals("ghost", report.path("target").asText());
    assertEquals("CRITICAL", report.path("worst").asText());
    assertEquals("FAILED", report.path("outcome").asText());
    assertEquals(1, report.path("exitCode").asInt());
    assertEquals("connectivity", report.path("findings").get(0).path("check").asText());
  }
}
