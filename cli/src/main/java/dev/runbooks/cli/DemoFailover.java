package dev.runbooks.cli;

import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.failover.FailoverResult;
import io.temporal.client.WorkflowClient;
import java.io.PrintWriter;
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
              + (r.writeOutage() == null ? "n/a" : r.writeOutage().toMillis() + " ms");
      out.println(
          "The demo's replica is the primary now; the old primary stays fenced (read-only).");
    }
    return new DemoCommand.Ran(
        "switch", id, finished.end().outcome(), FailoverReport.FAILOVER.exitCode(finished), note);
  }
}
