package dev.runbooks.activities.testing;

import static org.junit.jupiter.api.Assertions.fail;

import dev.runbooks.testing.LocalCluster;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The last test of a module: no throwaway cluster of this JVM is still open, running or on disk. A
 * module adds it with one class, ordered last by {@code
 * junit.jupiter.testclass.order.default=org.junit.jupiter.api.ClassOrderer$OrderAnnotation} in its
 * {@code src/test/resources/junit-platform.properties}:
 *
 * <pre>{@code
 * @Order(Integer.MAX_VALUE)
 * class ZzNoPostgresLeftBehindTest extends NoPostgresLeftBehind {}
 * }</pre>
 */
public abstract class NoPostgresLeftBehind {
  private static final Duration GRACE = Duration.ofSeconds(10);

  @Test
  public void noPostgresLeftBehind() throws InterruptedException {
    assertNothingLeftBehind();
  }

  /** Fails, naming what is left, unless nothing is (after a short grace for exiting servers). */
  public static void assertNothingLeftBehind() throws InterruptedException {
    assertNothingLeftBehind(GRACE);
  }

  /** Fails, naming what is left, unless nothing is left within {@code grace}. */
  public static void assertNothingLeftBehind(Duration grace) throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    LocalCluster.Leftovers leftovers = LocalCluster.leftovers();
    while (!leftovers.isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      leftovers = LocalCluster.leftovers();
    }
    if (!leftovers.isEmpty()) {
      fail(
          "expected every throwaway PostgreSQL cluster of this test run to be closed, stopped and"
              + " deleted, but found: open clusters "
              + leftovers.openClusters()
              + ", running servers "
              + leftovers.runningServers()
              + ", directories "
              + leftovers.directories()
              + ". Register clusters with PostgresExtension or close them in a finally/@AfterAll.");
    }
  }
}
