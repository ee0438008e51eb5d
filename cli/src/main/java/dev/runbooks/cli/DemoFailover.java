package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.testing.LocalPgBouncer;
import dev.runbooks.workflows.failover.FailoverResult;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;

/**
 * The demo's last part: a planned switchover of its throwaway pair, the replica promoted. Listed as
 * "switch" in the demo's summary of runs.
 */
final class DemoFailover {
  private DemoFailover() {}

  static DemoCommand.Ran switchover(
      WorkflowClient client,
      String taskQueue,
      RunbooksConfig config,
      String initiator,
      Follower follower,
      LocalPgBouncer bouncer,
      String password,
      PrintWriter out)
      throws InterruptedException {
    RunbookStarter.Launch launch =
        new FailoverRuns(config, initiator)
            .failover(DemoCommand.TARGET, null, null, false, false, null);
    String id = new RunbookStarter(client, taskQueue, Clock.systemUTC()).start(launch);
    out.println("== failover " + DemoCommand.TARGET + " --planned: " + id);
    Launcher.Finished<FailoverResult> finished =
        Launcher.follow(client, id, FailoverResult.class, follower);
    String note = "";
    if (finished.result() != null) {
      FailoverReport.FAILOVER.printText(finished.result(), out);
      FailoverResult r = finished.result();
      note =
          r.newPrimary()
              + " promoted, "
              + r.bytesLost()
              + " bytes lost, write outage "
              + (r.writeOutage() == null ? "n/a" : r.writeOutage().toMillis() + " ms")
              + ", "
              + DemoPooler.summary(r.pooler());
      out.println(
          "The demo's replica is the primary now; the old primary stays fenced (read-only).");
      if (bouncer != null) {
        out.println(throughPooler(bouncer, password));
      }
    }
    return new DemoCommand.Ran(
        "switch", id, finished.end().outcome(), FailoverReport.FAILOVER.exitCode(finished), note);
  }

  /** One write through the pooler after the switchover: its clients reach the new primary. */
  private static String throughPooler(LocalPgBouncer bouncer, String password) {
    try (Connection c =
            DriverManager.getConnection(bouncer.jdbcUrl(DemoCommand.TARGET), "postgres", password);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "WITH o AS (UPDATE orders SET status = status WHERE id = 1 RETURNING id)"
                    + " SELECT inet_server_port(), (SELECT count(*) FROM o)")) {
      rs.next();
      return "Through PgBouncer "
          + bouncer.host()
          + ":"
          + bouncer.port()
          + ": a write lands on the server on port "
          + rs.getInt(1)
          + " (the new primary).";
    } catch (SQLException e) {
      return "Through PgBouncer "
          + bouncer.host()
          + ":"
          + bouncer.port()
          + ": a write FAILED after the switchover: "
          + e.getMessage()
          + "; see "
          + bouncer.logFile();
    }
  }
}
