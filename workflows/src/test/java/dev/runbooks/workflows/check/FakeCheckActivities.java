package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.FailureType;
import java.util.List;

/**
 * Check activities with canned answers: healthy by default; a test can make the primary
 * unreachable, a replica lag, or one check break.
 */
public final class FakeCheckActivities implements CheckActivities {
  public boolean primaryDown;
  boolean replicaLagging;
  boolean locksBroken;
  boolean wrongPassword;

  @Override
  public Findings checkConnectivity(CheckInput input) {
    if (wrongPassword) {
      throw FailureType.AUTHENTICATION.failure(
          "password authentication failed for role admin on db1:5432; check the secret");
    }
    if (primaryDown) {
      return Findings.of(
          new Finding(
              "connectivity",
              Severity.CRITICAL,
              "cannot connect to db1:5432/orders: connection refused",
              "start the server or fix primary.host/port",
              List.of()));
    }
    return Findings.of(Finding.ok("connectivity", "PostgreSQL 15.18, up 3 days"));
  }

  @Override
  public Findings checkPrivileges(CheckInput input) {
    return Findings.of(Finding.ok("privileges", "admin is superuser"));
  }

  @Override
  public Findings checkDatabaseSize(CheckInput input) {
    return Findings.of(Finding.ok("database-size", "orders is 42 MB"));
  }

  @Override
  public Findings checkReplicas(CheckInput input) {
    if (replicaLagging) {
      return Findings.of(
          new Finding(
              "replicas",
              Severity.CRITICAL,
              "db2 replay paused, 2 GB behind",
              "SELECT pg_wal_replay_resume() on db2",
              List.of()));
    }
    return Findings.of(Finding.ok("replicas", "db2 streaming, 0 bytes behind"));
  }

  @Override
  public Findings checkPooler(CheckInput input) {
    return Findings.of(Finding.ok("pooler", "no pooler is configured for " + input.target()));
  }

  @Override
  public Findings checkLongTransactions(CheckInput input) {
    return Findings.of(
        new Finding(
            "long-transactions",
            Severity.WARN,
            "pid 4242 open for 12 min",
            "end it: SELECT pg_terminate_backend(4242)",
            List.of("idle in transaction: UPDATE orders SET ...")));
  }

  @Override
  public Findings checkLockChains(CheckInput input) {
    if (locksBroken) {
      throw new IllegalStateException("permission denied for function pg_blocking_pids");
    }
    return Findings.of(Finding.ok("lock-chains", "no session waits on a lock"));
  }

  @Override
  public Findings checkConnections(CheckInput input) {
    return Findings.of(Finding.ok("connections", "12 of 97 connections in use"));
  }

  @Override
  public Findings checkSlowStatements(CheckInput input) {
    return Findings.of(Finding.ok("slow-statements", "pg_stat_statements: none above 100 ms"));
  }
}
