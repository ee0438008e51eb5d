package dev.runbooks.cli;

import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.config.MemberConfig;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.failover.FailoverPlan;
import dev.runbooks.workflows.failover.FailoverRequest;
import dev.runbooks.workflows.failover.FailoverSettings;
import dev.runbooks.workflows.failover.FailoverWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * A failover prepared for the command and the demo: the request, the workflow ID, and the summary
 * and plan the Temporal UI shows (written by {@link FailoverPlan}, beside the workflow's steps).
 */
final class FailoverRuns {
  private final RunbooksConfig config;
  private final String initiator;

  FailoverRuns(RunbooksConfig config, String initiator) {
    this.config = config;
    this.initiator = initiator;
  }

  /**
   * @param to the replica to promote, or null for the most advanced
   * @param maxLag null for the target's configured maximum
   * @throws UsageException when {@code to} is not one of the target's replicas
   */
  RunbookStarter.Launch failover(
      String target, String to, Long maxLag, boolean force, boolean rejoin, String workflowId) {
    TargetConfig t = config.target(target);
    if (t.replicas().isEmpty()) {
      throw new UsageException(
          "target "
              + target
              + " has no replicas in "
              + config.file()
              + ": a failover promotes one. Add them under targets."
              + target
              + ".replicas.");
    }
    if (to != null && t.member(to).isEmpty()) {
      throw new UsageException(
          "--to "
              + to
              + " is not a server of "
              + target
              + "; its servers: "
              + String.join(", ", t.memberNames())
              + ". Name the replica to promote (the primary is found when the run starts).");
    }
    FailoverConfig f = t.failover();
    FailoverRequest request =
        new FailoverRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            to,
            maxLag,
            force,
            rejoin);
    List<FailoverPlan.Replica> replicas = new ArrayList<>();
    for (MemberConfig m : t.members()) {
      replicas.add(new FailoverPlan.Replica(m.name(), m.endpoint().address()));
    }
    FailoverSettings settings =
        FailoverSettings.of(f.approval(), f.catchUpTimeout(), f.maxLagBytes(), f.hook());
    return new RunbookStarter.Launch(
        FailoverWorkflow.class,
        request,
        new RunbookStarter.Plan(
            RunbookKind.FAILOVER,
            t.name(),
            workflowId,
            initiator,
            FailoverPlan.summary(request),
            FailoverPlan.markdown(
                request,
                "found among the servers when the run starts",
                replicas,
                settings,
                f.endpointSecret())));
  }
}
