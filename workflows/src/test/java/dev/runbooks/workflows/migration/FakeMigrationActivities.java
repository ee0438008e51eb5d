package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.LockHolder;
import dev.runbooks.workflows.shared.TargetLockActivities;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Migration and lock activities that record calls; one version can be made to fail. */
final class FakeMigrationActivities implements MigrationActivities, TargetLockActivities {
  final List<String> calls = new CopyOnWriteArrayList<>();
  volatile String failingVersion;
  volatile boolean drifted;

  private static PendingMigration pending(String v, String description) {
    String file = description.replace(' ', '_');
    return new PendingMigration(
        v,
        description,
        "V" + v + "__" + file + ".sql",
        "U" + v + "__" + file + ".sql",
        false,
        null);
  }

  @Override
  public MigrationPlan validateMigrations(MigrationInput input) {
    calls.add("validate " + input.to());
    return new MigrationPlan(
        input.target(),
        "1",
        List.of(pending("2", "create orders"), pending("3", "index orders")),
        List.of("V3__index_orders.sql: sets no lock_timeout"),
        false);
  }

  @Override
  public void copySchemaOnly(ScratchInput input) {
    calls.add("copy " + input.database());
  }

  @Override
  public void dropScratchCopy(ScratchInput input) {
    calls.add("drop " + input.database());
  }

  @Override
  public RehearsalResult rehearseMigrations(RehearsalInput input) {
    calls.add("rehearse " + input.plan().versions());
    List<VersionTiming> t =
        input.plan().versions().stream()
            .map(v -> new VersionTiming(v, Duration.ofMillis(120), Duration.ZERO))
            .toList();
    return RehearsalResult.proven(
        input.source(), List.of(), t, t, t, "cd".repeat(32), Duration.ofSeconds(2));
  }

  @Override
  public SchemaSnapshot snapshotSchema(MigrationInput input) {
    calls.add("snapshot");
    return new SchemaSnapshot(input.idempotencyKey(), "cd".repeat(32), 12);
  }

  @Override
  public DriftResult checkSchemaDrift(DriftInput input) {
    calls.add("drift");
    if (drifted && input.acceptDrift() == null) {
      throw FailureType.BAD_INPUT.failure(
          "target "
              + input.target()
              + ": its schema drifted from the schema the last apply recorded: extra: CREATE"
              + " INDEX by_hand ON public.orders USING btree (id). Nothing was changed");
    }
    return new DriftResult("the schema the last apply recorded", List.of(), null);
  }

  @Override
  public ApplyResult applyMigrations(ApplyInput input) {
    List<VersionTiming> applied = new java.util.ArrayList<>();
    for (String v : input.versions()) {
      calls.add("apply " + v);
      if (v.equals(failingVersion)) {
        throw FailureType.MIGRATION_FAILED.failure(
            "V" + v + " failed: lock timeout (SQLSTATE 55P03)");
      }
      applied.add(new VersionTiming(v, Duration.ofMillis(150), Duration.ofMillis(25)));
    }
    return new ApplyResult(applied);
  }

  @Override
  public VerifyResult verifyMigrations(VerifyInput input) {
    calls.add("verify " + input.versions());
    return new VerifyResult(List.of("history: ok", "smoke: 3 tables readable"));
  }

  @Override
  public RollbackResult rollbackMigrations(RollbackInput input) {
    calls.add("rollback " + input.versions() + " backup " + input.backupId());
    return new RollbackResult(
        List.of(new VersionTiming("2", Duration.ofMillis(40), Duration.ZERO)), true);
  }

  @Override
  public LockHolder acquireTargetLock(LockHolder request) {
    calls.add("lock");
    return request;
  }

  @Override
  public void releaseTargetLock(LockHolder holder) {
    calls.add("unlock");
  }

  @Override
  public boolean isRunOpen(String workflowId) {
    return true;
  }
}
