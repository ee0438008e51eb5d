package dev.runbooks.activities.check;

import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.check.CheckActivities;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import java.util.List;
import java.util.Objects;

/**
 * The check runbook's read-only health checks against a target's PostgreSQL servers, one class per
 * check. A check that finds a problem reports it as a finding rather than failing: the report is
 * what the on-call engineer needs, and an unreachable server is itself a finding. Only a refused
 * login fails the activity, as a non-retryable AUTHENTICATION failure.
 */
public final class CheckActivitiesImpl implements CheckActivities {
  private final TargetConnections connections;
  private final CheckThresholds thresholds;
  private final OnPrimary primary;

  public CheckActivitiesImpl(TargetConnections connections, CheckThresholds thresholds) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.primary = new OnPrimary(connections);
  }

  @Override
  public Findings checkConnectivity(CheckInput input) {
    return new ConnectivityCheck(primary).run(input);
  }

  @Override
  public Findings checkPrivileges(CheckInput input) {
    return primary.run(PrivilegesCheck.NAME, input, PrivilegesCheck::run);
  }

  @Override
  public Findings checkDatabaseSize(CheckInput input) {
    return primary.run(DatabaseSizeCheck.NAME, input, DatabaseSizeCheck::run);
  }

  @Override
  public Findings checkReplicas(CheckInput input) {
    String target = input.target();
    List<String> replicas = connections.replicaNames(target);
    if (replicas.isEmpty()) {
      return Findings.of(
          Finding.ok(ReplicaCheck.NAME, "no replicas are configured for target " + target));
    }
    return new Findings(new ReplicaCheck(connections, thresholds, target).run(replicas));
  }

  @Override
  public Findings checkLongTransactions(CheckInput input) {
    return primary.run(
        LongTransactionsCheck.NAME,
        input,
        c -> LongTransactionsCheck.run(c, input.longTransaction()));
  }

  @Override
  public Findings checkLockChains(CheckInput input) {
    return primary.run(LockChainsCheck.NAME, input, LockChainsCheck::run);
  }

  @Override
  public Findings checkConnections(CheckInput input) {
    return primary.run(ConnectionsCheck.NAME, input, c -> ConnectionsCheck.run(c, thresholds));
  }

  @Override
  public Findings checkSlowStatements(CheckInput input) {
    return primary.run(SlowStatementsCheck.NAME, input, SlowStatementsCheck::run);
  }
}
