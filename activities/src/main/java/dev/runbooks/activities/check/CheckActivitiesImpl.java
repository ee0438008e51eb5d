package dev.runbooks.activities.check;

import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.check.CheckActivities;
import dev.runbooks.workflows.check.CheckInput;
import dev.runbooks.workflows.check.Finding;
import dev.runbooks.workflows.check.Findings;
import dev.runbooks.workflows.check.Severity;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The check runbook's read-only health checks against a target's PostgreSQL servers, one class per
 * check. A check that finds a problem reports it as a finding rather than failing: the report is
 * what the on-call engineer needs, and an unreachable server is itself a finding. Only a refused
 * login fails the activity, as a non-retryable AUTHENTICATION failure.
 */
public final class CheckActivitiesImpl implements CheckActivities {
  /** Precedes the configuration's file and digest in the connectivity finding. */
  public static final String CONFIGURATION = "worker configuration ";

  private final TargetConnections connections;
  private final CheckThresholds thresholds;
  private final OnPrimary primary;
  private final String configuration;
  private final PoolerCheck pooler;

  public CheckActivitiesImpl(TargetConnections connections, CheckThresholds thresholds) {
    this(connections, thresholds, null);
  }

  /** Without a pooler check: every target is reported as having no pooler. */
  public CheckActivitiesImpl(
      TargetConnections connections, CheckThresholds thresholds, String configuration) {
    this(connections, thresholds, configuration, PoolerCheck.none());
  }

  /**
   * @param configuration the worker's configuration file and its digest ({@code
   *     ConfigSource.Version#describe}), named in the connectivity finding so every run's first
   *     step records which version it used; null to leave it out
   * @param pooler the check of each target's {@code failover.pooler}
   */
  public CheckActivitiesImpl(
      TargetConnections connections,
      CheckThresholds thresholds,
      String configuration,
      PoolerCheck pooler) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.primary = new OnPrimary(connections);
    this.configuration = configuration;
    this.pooler = Objects.requireNonNull(pooler, "pooler");
  }

  /** Every runbook's first step starts here: its detail names the configuration the run uses. */
  @Override
  public Findings checkConnectivity(CheckInput input) {
    return withConfiguration(new ConnectivityCheck(primary).run(input), input, Severity.OK);
  }

  /**
   * The preflight's detail is its worst finding: a privilege warning names the configuration too.
   */
  @Override
  public Findings checkPrivileges(CheckInput input) {
    Findings findings = primary.run(PrivilegesCheck.NAME, input, PrivilegesCheck::run);
    return withConfiguration(findings, input, Severity.WARN);
  }

  /** {@code findings}, those at least {@code from} ending with the worker's configuration. */
  private Findings withConfiguration(Findings findings, CheckInput input, Severity from) {
    if (configuration == null) {
      return findings;
    }
    String used = "; " + CONFIGURATION + configuration + ", primary " + describe(input.target());
    return new Findings(
        findings.findings().stream()
            .map(
                f ->
                    f.severity().compareTo(from) < 0
                        ? f
                        : new Finding(
                            f.check(),
                            f.severity(),
                            f.summary() + used,
                            f.advice(),
                            f.details(),
                            f.figures()))
            .toList());
  }

  private String describe(String target) {
    try {
      return connections.describe(target);
    } catch (RuntimeException e) {
      return "unknown (" + e.getMessage() + ")";
    }
  }

  @Override
  public Findings checkDatabaseSize(CheckInput input) {
    return primary.run(DatabaseSizeCheck.NAME, input, DatabaseSizeCheck::run);
  }

  @Override
  public Findings checkReplicas(CheckInput input) {
    String target = input.target();
    List<String> replicas = connections.replicaNames(target);
    List<Finding> findings = new ArrayList<>();
    if (replicas.isEmpty()) {
      findings.add(
          Finding.ok(ReplicaCheck.NAME, "no replicas are configured for target " + target));
    } else {
      findings.addAll(new ReplicaCheck(connections, thresholds, target).run(replicas));
    }
    // The slots' consumers are replicas and the WAL archiver: a stalled one fills the disk.
    findings.addAll(
        primary
            .run(
                ReplicationSlotsCheck.NAME,
                input,
                c -> ReplicationSlotsCheck.run(c, thresholds.slotRetainedWarnBytes()))
            .findings());
    return new Findings(findings);
  }

  @Override
  public Findings checkPooler(CheckInput input) {
    return pooler.run(input.target(), connections::topology);
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
