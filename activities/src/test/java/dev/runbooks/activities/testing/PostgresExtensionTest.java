package dev.runbooks.activities.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import static org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder.request;

import dev.runbooks.testing.LocalCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

class PostgresExtensionTest {

  @Test
  void stopsAndDeletesItsClustersAfterTheClassEvenWhenATestFails() throws InterruptedException {
    ClassWithAFailingTest.seen.clear();
    SummaryGeneratingListener listener = new SummaryGeneratingListener();

    LauncherFactory.create()
        .execute(request().selectors(selectClass(ClassWithAFailingTest.class)).build(), listener);

    TestExecutionSummary summary = listener.getSummary();
    assertEquals(1, summary.getTestsFailedCount(), "the class's test ran and failed");
    assertEquals(
        "failing on purpose",
        summary.getFailures().get(0).getException().getMessage(),
        "it failed where it should, with its clusters running");
    assertEquals(
        List.of("extra", "primary", "replica0"),
        ClassWithAFailingTest.seen.keySet().stream().sorted().toList());
    for (Map.Entry<String, Seen> entry : ClassWithAFailingTest.seen.entrySet()) {
      Seen cluster = entry.getValue();
      String message = ClassWithAFailingTest.whatTheLastTestWouldSay;
      assertTrue(
          message.contains(cluster.directory().toString())
              && message.contains(Long.toString(cluster.postmaster().pid())),
          "while the class ran, the module's last test would have named "
              + entry.getKey()
              + ": "
              + message);
      assertFalse(Files.exists(cluster.directory()), entry.getKey() + " directory");
      assertTrue(
          waitForExit(cluster.postmaster(), Duration.ofSeconds(10)), entry.getKey() + " server");
    }
    NoPostgresLeftBehind.assertNothingLeftBehind(); // this class has no clusters of its own
  }

  @Test
  void tellsHowToRegisterItWhenUsedBeforeItStarted() {
    PostgresExtension notStarted = PostgresExtension.newPrimary();
    IllegalStateException e = assertThrows(IllegalStateException.class, notStarted::primary);
    assertTrue(e.getMessage().contains("@RegisterExtension"), e.getMessage());
  }

  private record Seen(Path directory, ProcessHandle postmaster) {}

  private static boolean waitForExit(ProcessHandle process, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    // isAlive() and not runningStrays(): a zombie waiting for init to reap it counts as running.
    while (process.isAlive()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(10);
    }
    return true;
  }

  /** Run by the test above through its own launcher, not by the build: it fails on purpose. */
  static class ClassWithAFailingTest {
    static final Map<String, Seen> seen = new ConcurrentHashMap<>();
    static volatile String whatTheLastTestWouldSay;

    @RegisterExtension
    static final PostgresExtension pg =
        PostgresExtension.newPrimary().withReplicas(1).withScram("extension-pw");

    @Test
    void failsWhileItsClustersRun() throws Exception {
      assertEquals(Optional.of("extension-pw"), pg.primary().superuserPassword());
      pg.replica(0).execute("postgres", "select 1");
      for (LocalCluster cluster : List.of(pg.primary(), pg.replica(0), pg.newReplica("extra"))) {
        seen.put(
            cluster.name(),
            new Seen(cluster.directory(), ProcessHandle.of(cluster.postmasterPid()).orElseThrow()));
      }
      AssertionError leftBehind =
          assertThrows(
              AssertionError.class,
              () -> NoPostgresLeftBehind.assertNothingLeftBehind(Duration.ZERO));
      whatTheLastTestWouldSay = leftBehind.getMessage();
      fail("failing on purpose");
    }
  }
}
