package dev.runbooks.workflows.failover;

import dev.runbooks.workflows.shared.Texts;
import java.util.List;
import java.util.Objects;

/**
 * What a failover run shows in the Temporal UI before it starts: its summary and its plan, one line
 * per step of {@link FailoverWorkflowImpl#STEPS}.
 */
public final class FailoverPlan {
  /** A replica as the plan lists it. */
  public record Replica(String name, String address) {
    public Replica {
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(address, "address");
    }
  }

  /** {@code switchover orders -> db2}, {@code failover --force orders -> most advanced replica}. */
  public static String summary(FailoverRequest request) {
    return (request.force() ? "failover --force " : "switchover ")
        + request.runbook().target()
        + " -> "
        + (request.to() != null ? request.to() : "most advanced replica");
  }

  /**
   * The plan in Markdown.
   *
   * @param primary how the primary is found, as messages show it
   * @param endpointSecret where the new primary's endpoint is published in the secret store
   */
  public static String markdown(
      FailoverRequest request,
      String primary,
      List<Replica> replicas,
      FailoverSettings settings,
      String endpointSecret) {
    boolean force = request.force();
    long lag = request.maxLagBytes() != null ? request.maxLagBytes() : settings.maxLagBytes();
    StringBuilder md = new StringBuilder();
    md.append(force ? "**Unplanned failover**" : "**Planned switchover**")
        .append(" of `")
        .append(request.runbook().target())
        .append("` (primary ")
        .append(primary)
        .append(") to ")
        .append(request.to() != null ? "`" + request.to() + "`" : "the most advanced replica")
        .append(", started by ")
        .append(request.runbook().initiator())
        .append(".\n\nServers: ");
    for (Replica r : replicas) {
      md.append("`").append(r.name()).append("` ").append(r.address()).append(' ');
    }
    md.append("\n\n")
        .append(
            Texts.numbered(
                FailoverWorkflowImpl.STEPS,
                step -> step(step, request, lag, settings, endpointSecret)))
        .append(
            "\nA failure before promotion unfences the primary. After promotion nothing is"
                + " reverted; the result states what holds.\n");
    return md.toString();
  }

  private static String step(
      String step,
      FailoverRequest request,
      long lag,
      FailoverSettings settings,
      String endpointSecret) {
    boolean force = request.force();
    return switch (step) {
      case FailoverWorkflowImpl.PREFLIGHT ->
          "which server takes writes (the others: replicas; a fenced one never is, two are split"
              + " brain); each replica streaming?, its lag; "
              + (force
                  ? "the primary must be down (several attempts); the candidate is the replica"
                      + " that received most; the possible data loss is reported"
                  : "the candidate must lag at most " + lag + " bytes");
      case FailoverWorkflowImpl.APPROVE ->
          settings.approvalRequired() ? "waits for `runbook approve`" : "not required";
      case FailoverWorkflowImpl.FENCE ->
          force
              ? "skipped, the primary is down"
              : (settings.pooler() == null
                      ? ""
                      : "PAUSE on PgBouncer " + settings.pooler() + ", then ")
                  + "default_transaction_read_only on (ALTER SYSTEM + reload), application roles"
                  + " NOLOGIN, client sessions ended; replication continues";
      case FailoverWorkflowImpl.CATCH_UP ->
          force
              ? "skipped, the primary is down"
              : "until the candidate replayed the fenced primary's last WAL, at most "
                  + Texts.duration(settings.catchUpTimeout());
      case FailoverWorkflowImpl.PROMOTE -> "pg_promote, waiting for it";
      case FailoverWorkflowImpl.VERIFY ->
          "out of recovery, a new timeline, a canary write reads back";
      case FailoverWorkflowImpl.POOLER ->
          settings.pooler() == null
              ? "none configured"
              : "PgBouncer "
                  + settings.pooler()
                  + ": [databases] to the new primary, RELOAD, RESUME (RESUME also on any failure)";
      case FailoverWorkflowImpl.REPOINT -> "the other replicas' primary_conninfo, then a reload";
      case FailoverWorkflowImpl.PUBLISH ->
          "the endpoint record `"
              + endpointSecret
              + "` in the secret store"
              + (settings.hook() == null ? "" : ", then the hook `" + settings.hook() + "`");
      case FailoverWorkflowImpl.REJOIN ->
          request.rejoin() ? "pg_rewind where possible, else the manual steps" : "the manual steps";
      default -> throw Texts.unknownStep(step);
    };
  }

  private FailoverPlan() {}
}
