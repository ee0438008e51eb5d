package dev.runbooks.cli;

import dev.runbooks.activities.config.FailoverConfig;
import dev.runbooks.activities.config.ReplicaConfig;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.workflows.failover.FailoverRequest;
import dev.runbooks.workflows.failover.FailoverWorkflow;
import dev.runbooks.workflows.shared.RunbookKind;
import dev.runbooks.workflows.shared.RunbookRequest;

/**
 * A failover prepared for the command and the demo: the request, the workflow ID, and the summary
 * and plan the Temporal UI shows.
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
    if (to != null && t.replica(to).isEmpty()) {
      throw new UsageException(
          "--to "
              + to
              + " is not a replica of "
              + target
              + "; its replicas: "
              + String.join(", ", t.replicaNames())
              + ".");
    }
    FailoverConfig f = t.failover();
    long lag = maxLag != null ? maxLag : f.maxLagBytes();
    String candidate = to != null ? "`" + to + "`" : "the most advanced replica";
    StringBuilder md = new StringBuilder();
    md.append(force ? "**Unplanned failover**" : "**Planned switchover**")
        .append(" of `")
        .append(t.name())
        .append("` (primary ")
        .append(t.primary())
        .append(") to ")
        .append(candidate)
        .append(", started by ")
        .append(initiator)
        .append(".\n\nReplicas: ");
    for (ReplicaConfig r : t.replicas()) {
      md.append("`").append(r.name()).append("` ").append(r.host()).append(':').append(r.port());
      md.append(' ');
    }
    md.append("\n\n1. preflight: each replica streaming?, its lag; ");
    if (force) {
      md.append(
          "the primary must be down (several attempts); the candidate is the replica that"
              + " received most; the possible data loss is reported\n");
    } else {
      md.append("the candidate must lag at most ").append(lag).append(" bytes\n");
    }
    md.append("2. approve: ")
        .append(f.approval() ? "waits for `runbook approve`" : "not required")
        .append('\n');
    if (force) {
      md.append("3. fence, 4. catch-up: skipped, the primary is down\n");
    } else {
      md.append(
              "3. fence: default_transaction_read_only on (ALTER SYSTEM + reload), application"
                  + " roles NOLOGIN, client sessions ended; replication continues\n")
          .append("4. catch-up: until the candidate replayed the fenced primary's last WAL, at")
          .append(" most ")
          .append(Text.duration(f.catchUpTimeout()))
          .append('\n');
    }
    md.append(
            "5. promote: pg_promote, waiting for it\n"
                + "6. verify: out of recovery, a new timeline, a canary write reads back\n"
                + "7. repoint: the other replicas' primary_conninfo, then a reload\n"
                + "8. publish: the endpoint record `")
        .append(f.endpointSecret())
        .append("` in the secret store")
        .append(f.hook().isEmpty() ? "" : ", then the hook `" + String.join(" ", f.hook()) + "`")
        .append('\n')
        .append("9. rejoin: ")
        .append(rejoin ? "pg_rewind where possible, else" : "")
        .append(" the manual steps\n\n")
        .append(
            "A failure before promotion unfences the primary. After promotion nothing is"
                + " reverted; the result states what holds.\n");
    return new RunbookStarter.Launch(
        FailoverWorkflow.class,
        new FailoverRequest(
            new RunbookRequest(t.name(), initiator, t.fourEyes(), t.approvalTimeout()),
            to,
            maxLag,
            force,
            rejoin),
        new RunbookStarter.Plan(
            RunbookKind.FAILOVER,
            t.name(),
            workflowId,
            initiator,
            (force ? "failover --force " : "switchover ")
                + t.name()
                + " -> "
                + (to != null ? to : "most advanced replica"),
            md.toString()));
  }
}
