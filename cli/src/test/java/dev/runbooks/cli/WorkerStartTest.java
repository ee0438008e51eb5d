package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.worker.EmbeddedTemporal;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A worker started before its Temporal waits for it, saying so, instead of exiting 4. */
class WorkerStartTest {
  @TempDir Path dir;

  @Test
  void aWorkerStartedBeforeTemporalWaitsForItAndThenServes() throws Exception {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    Path config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n  ghost:\n    primary: { host: 127.0.0.1, port: 1, database: ghost }\n"
                + "    admin: { user: postgres }\n");
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread worker =
        new Thread(
            () ->
                code.set(
                    new Main(
                            new PrintWriter(out),
                            new PrintWriter(err),
                            Map.of(
                                "TEMPORAL_CONFIG_FILE",
                                "/nonexistent/temporal.toml",
                                "TEMPORAL_ADDRESS",
                                "127.0.0.1:" + port,
                                "RUNBOOKS_CONFIG",
                                config.toString()))
                        .run("worker")));
    worker.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!err.toString().contains("nothing listens there") && worker.isAlive()) {
      assertTrue(Instant.now().isBefore(deadline), "no retry reported:\n" + err);
      Thread.sleep(100);
    }
    Thread.sleep(1000);
    assertTrue(worker.isAlive(), "the worker gave up:\n" + out + err);
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(port)) {
      while (!out.toString().contains("Ctrl-C") && worker.isAlive()) {
        assertTrue(Instant.now().isBefore(deadline), "the worker never connected:\n" + out + err);
        Thread.sleep(100);
      }
      assertTrue(out.toString().contains("Worker on " + temporal.address()), out + "\n" + err);
      worker.interrupt();
      worker.join(Duration.ofSeconds(30).toMillis());
      assertFalse(worker.isAlive(), "the worker stops when interrupted");
      assertEquals(0, code.get(), out + "\n" + err);
    }
  }
}
