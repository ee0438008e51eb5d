package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.PostgresExtension;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.TargetLockWorkflow;
import io.temporal.client.WorkflowException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One mutating runbook per target whatever Temporal service the run uses: an {@code --embedded} run
 * honours the lock held on the configured cluster, and refuses a production target when that
 * cluster cannot be asked.
 */
class EmbeddedLockTest {
  @RegisterExtension static final PostgresExtension pg = PostgresExtension.newPrimary();

  @TempDir static Path dir;

  private static Path config;

  @BeforeAll
  static void configuration() throws Exception {
    LocalCluster primary = pg.primary();
    primary.execute("postgres", "CREATE DATABASE shop");
    primary.execute("shop", "CREATE ROLE shop_app NOLOGIN");
    config = ShopConfig.write(dir, primary, true);
  }

  @Test
  void anEmbeddedMigrationIsRefusedWhileARunOnTheConfiguredClusterHoldsTheTarget()
      throws Exception {
    try (GatedRuns cluster = new GatedRuns()) {
      String holder = cluster.start("shop", "alice", false, null);
      awaitHolder(cluster, "shop", holder);

      Cli.Result refused =
          cluster
              .cli()
              .with("RUNBOOKS_CONFIG", config.toString())
              .run("migrate", "--target", "shop", "--auto-approve", "--embedded");

      assertEquals(ExitCodes.RUNBOOK_FAILED, refused.code(), refused.toString());
      assertTrue(refused.err().contains("is held by migrate run " + holder), refused.toString());
      assertTrue(refused.err().contains("runbook abort " + holder), refused.toString());
      assertEquals(0, userTables(), "nothing may be applied while another run holds the target");
    }
  }

  @Test
  void anEmbeddedRunOnAProductionTargetIsRefusedWhenTheConfiguredClusterIsUnreachable()
      throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = socket.getLocalPort();
    }
    Cli.Result refused =
        new Cli(Cli.isolatedEnv())
            .with("RUNBOOKS_CONFIG", config.toString())
            .with("TEMPORAL_ADDRESS", "127.0.0.1:" + closed)
            .run("rotate", "--target", "shopprod", "--role", "shop_app", "--embedded");

    assertEquals(ExitCodes.TEMPORAL_UNREACHABLE, refused.code(), refused.toString());
    String err = refused.err();
    assertTrue(err.contains("production: true"), refused.toString());
    assertTrue(err.contains("127.0.0.1:" + closed), refused.toString());
    assertTrue(err.contains("lock"), refused.toString());
    assertEquals(0, logins(), "no login may be created for a refused rotation");
  }

  private static void awaitHolder(GatedRuns cluster, String target, String workflowId)
      throws InterruptedException {
    TargetLockWorkflow lock =
        cluster
            .connection
            .client()
            .newWorkflowStub(TargetLockWorkflow.class, TargetLockWorkflow.workflowId(target));
    Instant deadline = Instant.now().plus(Duration.ofSeconds(60));
    while (Instant.now().isBefore(deadline)) {
      try {
        LockHolder holder = lock.holder();
        if (holder != null && holder.holderWorkflowId().equals(workflowId)) {
          return;
        }
      } catch (WorkflowException notYet) {
        // The lock workflow is not started yet.
      }
      Thread.sleep(100);
    }
    throw new AssertionError(workflowId + " did not take the lock of " + target + " within 60 s");
  }

  private static int userTables() throws SQLException {
    return count(
        "SELECT count(*) FROM pg_tables"
            + " WHERE schemaname NOT IN ('pg_catalog', 'information_schema')");
  }

  private static int logins() throws SQLException {
    return count("SELECT count(*) FROM pg_roles WHERE rolname IN ('shop_app_a', 'shop_app_b')");
  }

  private static int count(String sql) throws SQLException {
    try (Connection c = pg.primary().connect("shop");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getInt(1);
    }
  }
}
