package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.worker.TemporalConnection.Overrides;
import dev.runbooks.worker.TemporalConnection.Patience;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The first connection: a port where nothing listens is told apart from a server that does not
 * answer in time, and a server that comes up while the retries last is reached.
 */
class FirstConnectionTest {
  @TempDir Path dir;

  private Map<String, String> bare() {
    return Map.of("TEMPORAL_CONFIG_FILE", dir.resolve("absent.toml").toString());
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @Test
  void nothingListeningIsSaidSoWithoutWaitingForTheTimeout() throws IOException {
    String address = "127.0.0.1:" + closedPort();
    Instant before = Instant.now();
    TemporalUnreachableException e =
        assertThrows(
            TemporalUnreachableException.class,
            () ->
                TemporalConnection.connect(
                    new Overrides(address, null, null, null, null, Duration.ofMinutes(5)), bare()));
    assertTrue(
        e.getMessage().contains("nothing listens there (connection refused)"), e.getMessage());
    assertTrue(e.getMessage().contains("runbook dev"), e.getMessage());
    assertTrue(
        Duration.between(before, Instant.now()).compareTo(Duration.ofMinutes(1)) < 0,
        "a refused connection must not wait for the 5-minute answer timeout");
  }

  @Test
  void aServerThatNeverAnswersIsAnUnansweredCallNamingTheTimeout() throws IOException {
    List<Socket> accepted = new ArrayList<>();
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      CompletableFuture.runAsync(
          () -> {
            try {
              while (true) {
                accepted.add(silent.accept());
              }
            } catch (IOException closed) {
              // The test is over.
            }
          });
      String address = "127.0.0.1:" + silent.getLocalPort();
      Instant before = Instant.now();
      TemporalUnreachableException e =
          assertThrows(
              TemporalUnreachableException.class,
              () ->
                  TemporalConnection.connect(
                      new Overrides(address, null, null, null, null, Duration.ofSeconds(2)),
                      bare(),
                      new Patience(Duration.ZERO, line -> {})));
      assertTrue(e.getMessage().contains("did not answer within 2 s"), e.getMessage());
      assertTrue(e.getMessage().contains("--connect-timeout"), e.getMessage());
      assertFalse(e.getMessage().contains("connection refused"), e.getMessage());
      assertTrue(
          Duration.between(before, Instant.now()).compareTo(Duration.ofMillis(1900)) >= 0,
          "the answer is awaited for the whole timeout");
    } finally {
      for (Socket socket : accepted) {
        socket.close();
      }
    }
  }

  @Test
  void aServerThatComesUpDuringTheRetriesIsReached() throws Exception {
    int port = closedPort();
    List<String> retries = new ArrayList<>();
    CompletableFuture<EmbeddedTemporal> late =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                Thread.sleep(1500);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
              return EmbeddedTemporal.start(port);
            });
    try (TemporalConnection connection =
        TemporalConnection.connect(
            new Overrides("127.0.0.1:" + port, null, null, null, null),
            bare(),
            new Patience(Duration.ofMinutes(2), retries::add))) {
      assertEquals("127.0.0.1:" + port, connection.address());
      assertFalse(retries.isEmpty(), "each refused attempt is reported");
      assertTrue(retries.get(0).contains("nothing listens there"), retries.toString());
    } finally {
      late.get().close();
    }
  }
}
