package dev.runbooks.workflows.check;

import io.temporal.activity.ActivityInterface;

/**
 * Read-only health checks of a target. Each reports findings with a severity and one line of
 * advice. The other runbooks start with the first two as their preflight.
 */
@ActivityInterface
public interface CheckActivities {
  /** Connects to the primary; reports the server version. CRITICAL when it cannot connect. */
  Findings checkConnectivity(CheckInput input);

  /** Whether the admin role has CREATEROLE, REPLICATION and can read activity statistics. */
  Findings checkPrivileges(CheckInput input);

  Findings checkDatabaseSize(CheckInput input);

  /** Each configured replica: streaming or not, replay paused or not, lag in bytes and seconds. */
  Findings checkReplicas(CheckInput input);

  /**
   * The PgBouncer in front of the primary ({@code failover.pooler}), when one is configured:
   * whether its console answers, whether it is paused, and whether its databases point at the
   * primary.
   */
  Findings checkPooler(CheckInput input);

  /** Transactions open longer than {@link CheckInput#longTransaction()}. */
  Findings checkLongTransactions(CheckInput input);

  /** Blocked and blocking sessions: who waits on whom, with their queries. */
  Findings checkLockChains(CheckInput input);

  /** Connections in use against max_connections. */
  Findings checkConnections(CheckInput input);

  /** The slowest statements from pg_stat_statements, or how to enable it. */
  Findings checkSlowStatements(CheckInput input);
}
