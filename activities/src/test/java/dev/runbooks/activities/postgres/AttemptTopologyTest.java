package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.check.CheckActivitiesImpl;
import dev.runbooks.activities.check.CheckThresholds;
import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.FileSecretStore;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.check.CheckActivities;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Severity;
import io.temporal.activity.ActivityOptions;
import io.temporal.testing.TestActivityEnvironment;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An activity attempt resolves its target's topology once and reuses it for its connections to the
 * primary; the next attempt resolves again. A member that never answers would otherwise cost its
 * connect timeout on every connection the attempt opens.
 */
class AttemptTopologyTest {
  @TempDir Path dir;
  private LocalCluster primary;
  private ServerSocket broken;
  private final AtomicInteger asked = new AtomicInteger();
  private TestActivityEnvironment env;

  @BeforeEach
  void setUp() throws Exception {
    primary = LocalCluster.builder().name("primary").start();
    // A member that takes the TCP connection and hangs up: unreachable, counted each time asked.
    broken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread acceptor =
        new Thread(
            () -> {
              while (!broken.isClosed()) {
                try {
                  Socket s = broken.accept();
                  asked.incrementAndGet();
                  s.close();
                } catch (IOException closed) {
                  return;
                }
              }
            },
            "broken-member");
    acceptor.setDaemon(true);
    acceptor.start();
    env = TestActivityEnvironment.newInstance();
  }

  @AfterEach
  void tearDown() throws Exception {
    env.close();
    broken.close();
    primary.close();
  }

  private ConfiguredConnections connections() throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders:\n"
                + "    primary: { host: 127.0.0.1, port: "
                + primary.port()
                + ", database: postgres, sslmode: disable }\n"
                + "    replicas: [ { name: db2, host: 127.0.0.1, port: "
                + broken.getLocalPort()
                + " } ]\n"
                + "    admin: { user: postgres }\n");
    return new ConfiguredConnections(
        ConfigLoader.load(file, Map.of()), new FileSecretStore(dir.resolve("secrets.json")));
  }

  @Test
  void anActivityAttemptAsksEveryMemberOnceAndTheNextAttemptAsksAgain() throws Exception {
    ConfiguredConnections connections = connections();
    connections.topology("orders");
    int perResolution = asked.getAndSet(0);
    assertTrue(perResolution >= 1, "the broken member was never asked");

    env.registerActivitiesImplementations(
        new CheckActivitiesImpl(connections, CheckThresholds.defaults()));
    CheckActivities checks =
        env.newActivityStub(
            CheckActivities.class,
            ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofMinutes(1)).build());
    CheckInput input = new CheckInput("orders", Duration.ofMinutes(5));

    // Resolves the topology, then connects to the primary it found: one resolution, not two.
    Finding connected = checks.checkConnectivity(input).findings().get(0);
    assertEquals(Severity.OK, connected.severity(), connected.toString());
    assertTrue(connected.summary().contains("primary primary at 127.0.0.1:"), connected.summary());
    assertEquals(perResolution, asked.get(), "members asked by one attempt");

    // Another activity (another attempt) resolves again: the topology may have changed.
    checks.checkDatabaseSize(input);
    assertEquals(2 * perResolution, asked.get(), "members asked by two attempts");
  }
}
