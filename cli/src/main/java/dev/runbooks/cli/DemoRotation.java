package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.testing.LocalCluster;
import dev.runbooks.worker.EmbeddedRunbooks;
import dev.runbooks.workflows.rotation.RotationResult;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.SecretRef;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;

/**
 * The demo's credential rotation: a group role {@code orders_app} that may read the shop's tables,
 * rotated twice with a short grace period (the first run creates {@code orders_app_a} and {@code
 * orders_app_b}, the second renews the other one and expires the first), then a login with what the
 * store says is current.
 */
final class DemoRotation {
  static final String ROLE = "orders_app";
  static final Duration GRACE = Duration.ofSeconds(3);

  private DemoRotation() {}

  static DemoCommand.Ran rotate(
      EmbeddedRunbooks local,
      RunbooksConfig config,
      LocalCluster primary,
      String initiator,
      String taskQueue,
      Screen screen,
      PrintWriter out)
      throws SQLException, InterruptedException {
    primary.execute(
        DemoCommand.TARGET,
        "CREATE ROLE " + ROLE + " NOLOGIN",
        "GRANT SELECT ON customers, orders TO " + ROLE);
    WorkflowClient client = local.connection().client();
    RotationRuns runs = new RotationRuns(config, initiator);
    Launcher.Finished<RotationResult> finished = null;
    String id = null;
    for (int i = 0; i < 2; i++) {
      RunbookStarter.Launch launch =
          runs.rotate(
              DemoCommand.TARGET,
              ROLE,
              RotationStrategy.ALTERNATING,
              GRACE,
              "rotate-" + DemoCommand.TARGET + "-demo-" + (i + 1));
      id = new RunbookStarter(client, taskQueue, Clock.systemUTC()).start(launch);
      out.println("== rotate " + ROLE + " on " + DemoCommand.TARGET + ": " + id);
      finished =
          Launcher.follow(
              client,
              id,
              RotationResult.class,
              new Follower(client, out, screen, Clock.systemUTC()));
      if (finished.result() == null) {
        break;
      }
      RotationReport.ROTATION.printText(finished.result(), out);
      out.println();
    }
    String note = "";
    if (finished.result() != null) {
      RotationResult r = finished.result();
      note = r.renewedLogin() + " current at " + r.secretPath() + "@" + r.newVersion();
      out.println(loginWithCurrent(config, primary));
    }
    return new DemoCommand.Ran(
        "rotate", id, finished.end().outcome(), RotationReport.ROTATION.exitCode(finished), note);
  }

  /** Logs in as a client would: whatever the store says is current. */
  private static String loginWithCurrent(RunbooksConfig config, LocalCluster primary)
      throws SQLException {
    String path = RotationSecrets.path(DemoCommand.TARGET, ROLE);
    Secret secret = SecretStores.open(config.secrets()).read(SecretRef.latest(path));
    Properties login = new Properties();
    login.setProperty("user", secret.require("username"));
    login.setProperty("password", secret.require("password"));
    try (Connection c = DriverManager.getConnection(primary.jdbcUrl(DemoCommand.TARGET), login);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT count(*) FROM orders")) {
      rs.next();
      return "A client reading "
          + path
          + " logs in as "
          + secret.require("username")
          + " (version "
          + secret.version()
          + ") and counts "
          + rs.getLong(1)
          + " orders.";
    }
  }
}
