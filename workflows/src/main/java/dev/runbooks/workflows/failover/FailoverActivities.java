package dev.runbooks.workflows.failover;

import io.temporal.activity.ActivityInterface;

/**
 * The side effects of the failover runbook. Each can run twice safely: a retry after a lost answer
 * finds the work done and reports it again.
 */
@ActivityInterface
public interface FailoverActivities {
  /** The primary and every configured replica (reachable, streaming, lag), and the settings. */
  Topology inspectTopology(String target);

  /** Tries to reach the primary several times, a second apart, before calling it down. */
  PrimaryProbe confirmPrimaryDown(String target);

  /**
   * Stops writes on the primary: default_transaction_read_only on (ALTER SYSTEM and a reload), the
   * application roles NOLOGIN and their sessions ended; replication connections stay. What it
   * changes is recorded on the server first, so a retry and {@link #unfencePrimary} undo exactly
   * that. Returns the WAL position read afterwards.
   */
  Fencing fencePrimary(FenceInput input);

  /** Undoes what {@link #fencePrimary} recorded for this run; does nothing when nothing is. */
  String unfencePrimary(FenceInput input);

  /** Waits up to the slice for the replica to replay the position; heartbeats while it waits. */
  CatchUp awaitReplay(CatchUpInput input);

  /** pg_promote, waiting for it to finish; a replica already out of recovery is reported so. */
  Promotion promoteReplica(ServerInput input);

  /**
   * PAUSE on the target's PgBouncer: running transactions finish, new queries wait. Already paused
   * is done. A PAUSE that does not finish in time is undone (RESUME) before it fails.
   */
  PoolerState pausePooler(PoolerInput input);

  /**
   * Points the pooler's {@code [databases]} entries at {@code to} where they point at {@code from}
   * (its ini file rewritten), then RELOAD. Entries at {@code to} already are done.
   */
  PoolerState repointPooler(PoolerInput input);

  /** RESUME on the target's PgBouncer; not paused is done. */
  PoolerState resumePooler(PoolerInput input);

  /** Whether the server is in recovery (a replica); fails when it cannot be asked. */
  boolean isInRecovery(ServerInput input);

  /** Out of recovery, on a later timeline, and a canary write reads back. */
  Verification verifyPrimary(VerifyInput input);

  /** primary_conninfo to the new primary (ALTER SYSTEM and a reload), then waits for streaming. */
  Repoint repointReplica(RepointInput input);

  /** Stores the new endpoint in the secret store and runs the configured hook command. */
  Publication publishEndpoint(PublishInput input);

  /** pg_rewind and restart of the old primary as a replica, or the manual steps to do so. */
  Rejoin rejoinOldPrimary(RejoinInput input);
}
