package dev.runbooks.worker.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.config.ConfigSource;
import dev.runbooks.activities.config.RunbooksConfig;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Temporal that accepts connections and never answers: the scrape still answers within its
 * budget, without health figures (unknown, not zero), and so does the next one while the first read
 * still hangs.
 */
class HungTemporalScrapeTest {
  @TempDir Path dir;

  @Test
  void aHungTemporalDelaysNoScrapeBeyondItsBudget() throws Exception {
    List<Socket> held = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!silent.isClosed()) {
                  try {
                    held.add(silent.accept());
                  } catch (java.io.IOException closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      RunbooksConfig config =
          ConfigLoader.load(
              Files.writeString(
                  dir.resolve("runbooks.yaml"),
                  "targets:\n  orders: { primary: { database: orders }, admin: { user: postgres } }\n"),
              Map.of());
      ConfigSource source = ConfigSource.fixed(config);
      WorkflowServiceStubs stubs =
          WorkflowServiceStubs.newServiceStubs(
              WorkflowServiceStubsOptions.newBuilder()
                  .setTarget("127.0.0.1:" + silent.getLocalPort())
                  .build());
      Duration budget = Duration.ofSeconds(2);
      try (RunbooksMetrics metrics = RunbooksMetrics.forConfig(source, Duration.ZERO, budget);
          MetricsEndpoint endpoint =
              MetricsEndpoint.start(new InetSocketAddress("127.0.0.1", 0), metrics)) {
        metrics.watchChecks(
            WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().build()));
        for (int scrape = 1; scrape <= 2; scrape++) {
          long start = System.nanoTime();
          String text = Scrapes.scrape(endpoint.port(), Duration.ofSeconds(30));
          Duration took = Duration.ofNanos(System.nanoTime() - start);
          // One budget for Temporal and the repositories, read at the same time.
          assertTrue(
              took.compareTo(budget.plusSeconds(3)) < 0, "scrape " + scrape + " took " + took);
          assertTrue(
              Scrapes.samples(text, "runbooks_check_").isEmpty(),
              "figures from a Temporal that never answered:\n" + text);
          assertTrue(text.contains("runbooks_recoverability_error"), text);
        }
      } finally {
        stubs.shutdownNow();
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }
}
