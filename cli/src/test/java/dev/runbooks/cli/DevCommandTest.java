package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.worker.EmbeddedTemporal;
import dev.runbooks.workflows.shared.TargetLockWorkflowImpl;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code runbook dev} in the foreground: serves Temporal, tells what to try next, stops cleanly.
 */
class DevCommandTest {
  @TempDir Path dir;

  @Test
  void servesTemporalUntilStoppedAndSaysWhatToTryNext() throws Exception {
    Path config = ordersConfig();
    int port = freePort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread dev =
        new Thread(
            () ->
                code.set(
                    new Main(new PrintWriter(out), new PrintWriter(err), Cli.isolatedEnv())
                        .run("dev", "--port", "" + port, "--config", config.toString())));
    dev.start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!out.toString().contains("Ctrl-C")
        && dev.isAlive()
        && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    String banner = out.toString();
    assertTrue(banner.contains("127.0.0.1:" + port), banner + err);
    assertTrue(
        banner.contains("runbook check --target orders --wait --temporal 127.0.0.1:" + port),
        banner);

    Cli.Result list = new Cli(Cli.isolatedEnv()).run("list", "--temporal", "127.0.0.1:" + port);
    assertEquals(0, list.code(), list.toString());
    assertTrue(list.out().contains("No runs"), list.toString());

    dev.interrupt();
    dev.join(Duration.ofSeconds(30).toMillis());
    assertFalse(dev.isAlive(), "dev stops when interrupted");
    assertEquals(0, code.get(), out + "\n" + err);
    try (Socket probe = new Socket()) {
      assertThrows(
          IOException.class,
          () -> probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000));
    }
  }

  @Test
  void saysItIsSingleProcessAndWarnsWhenAnotherWorkerPollsItsTaskQueue() throws Exception {
    Path config = ordersConfig();
    int port = freePort();
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    Thread dev =
        new Thread(
            () ->
                new Main(new PrintWriter(out), new PrintWriter(err), Cli.isolatedEnv())
                    .run("dev", "--port", "" + port, "--config", config.toString()));
    dev.start();
    try {
      awaitText(out, "Ctrl-C", dev);
      assertTrue(out.toString().contains("single-process service"), out.toString());
      assertFalse(err.toString().contains("another worker"), "dev's own worker is no other");

      // A worker of another process: its own identity, the same task queue.
      WorkflowServiceStubs service =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + port).build());
      WorkflowClient client =
          WorkflowClient.newInstance(
              service,
              WorkflowClientOptions.newBuilder()
                  .setNamespace(EmbeddedTemporal.NAMESPACE)
                  .setIdentity("4242@elsewhere")
                  .build());
      WorkerFactory factory = WorkerFactory.newInstance(client);
      factory
          .newWorker("runbooks")
          .registerWorkflowImplementationTypes(TargetLockWorkflowImpl.class);
      factory.start();
      try {
        awaitText(err, "another worker (4242@elsewhere) polls task queue runbooks", dev);
        assertTrue(err.toString().contains("single-process service"), err.toString());
      } finally {
        factory.shutdownNow();
        service.shutdownNow();
      }
    } finally {
      dev.interrupt();
      dev.join(Duration.ofSeconds(30).toMillis());
    }
  }

  private Path ordersConfig() throws IOException {
    return Files.writeString(
        dir.resolve("runbooks.yaml"),
        "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitText(StringWriter writer, String text, Thread dev)
      throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (!writer.toString().contains(text) && dev.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertTrue(writer.toString().contains(text), "no \"" + text + "\" in: " + writer);
  }

  @Test
  void workerServesAnExistingTemporalUntilStopped() throws Exception {
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
    try (EmbeddedTemporal temporal = EmbeddedTemporal.start(0)) {
      Cli cli =
          new Cli(Cli.isolatedEnv())
              .with("TEMPORAL_ADDRESS", temporal.address())
              .with("RUNBOOKS_CONFIG", config.toString());
      StringWriter out = new StringWriter();
      AtomicInteger code = new AtomicInteger(-1);
      Thread worker =
          new Thread(
              () ->
                  code.set(
                      new Main(
                              new PrintWriter(out),
                              new PrintWriter(new StringWriter()),
                              Map.of(
                                  "TEMPORAL_CONFIG_FILE", "/nonexistent/temporal.toml",
                                  "TEMPORAL_ADDRESS", temporal.address(),
                                  "RUNBOOKS_CONFIG", config.toString()))
                          .run("worker", "--task-queue", "elsewhere")));
      worker.start();
      Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
      while (!out.toString().contains("Ctrl-C")
          && worker.isAlive()
          && Instant.now().isBefore(deadline)) {
        Thread.sleep(100);
      }
      assertTrue(out.toString().contains("task queue elsewhere"), out.toString());
      assertTrue(out.toString().contains(temporal.address()), out.toString());

      Cli.Result check =
          cli.run("check", "--target", "ghost", "--wait", "--task-queue", "elsewhere");
      assertEquals(1, check.code(), check.toString());
      assertTrue(check.out().contains("[CRITICAL] connectivity"), check.toString());

      worker.interrupt();
      worker.join(Duration.ofSeconds(30).toMillis());
      assertFalse(worker.isAlive(), "the worker stops when interrupted");
      assertEquals(0, code.get(), out.toString());
    }
  }

  private static void assertThrows(Class<? extends Throwable> type, Executable call) {
    org.junit.jupiter.api.Assertions.assertThrows(type, call::run, "port closed after stop");
  }

  private interface Executable {
    void run() throws Throwable;
  }
}
