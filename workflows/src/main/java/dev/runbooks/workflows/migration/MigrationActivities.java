package dev.runbooks.workflows.migration;

import io.temporal.activity.ActivityInterface;

/**
 * The side effects of the migration runbook. Each can run twice safely: applying an applied
 * version, dropping a dropped copy or rolling back what is no longer applied does nothing.
 */
@ActivityInterface
public interface MigrationActivities {
  /**
   * Flyway validate against the target's schema history (an applied migration edited since is
   * CHECKSUM_MISMATCH), the pending versions up to {@code to}, a down script or an irreversible
   * marker for each (else BAD_INPUT), and a lint of the pending SQL.
   */
  MigrationPlan validateMigrations(MigrationInput input);

  /**
   * A schema-only copy of the target in a new scratch database (when it has no verified backup to
   * restore): {@code pg_dump --schema-only} restored there, plus the schema history's rows.
   */
  void copySchemaOnly(ScratchInput input);

  /** Drops a scratch copy this runbook made; a database it did not make is left alone. */
  void dropScratchCopy(ScratchInput input);

  /**
   * Rehearses on the scratch copy: pending up scripts (timed, lock waits sampled), down scripts in
   * reverse, a normalised schema comparison with the schema before, then up again. Heartbeats.
   */
  RehearsalResult rehearseMigrations(RehearsalInput input);

  /** A normalised schema-only dump of the target, kept on the worker; its hash is returned. */
  SchemaSnapshot snapshotSchema(MigrationInput input);

  /**
   * Refuses a target whose schema drifted from the one the last successful apply recorded (or, the
   * first time, from the rehearsal's starting schema), listing the difference; with a reason to
   * accept it, records the schema as it is now with that reason.
   */
  DriftResult checkSchemaDrift(DriftInput input);

  /**
   * Applies the versions one at a time (a Flyway migrate to each in turn), with the given lock and
   * statement timeouts, heartbeating the count done. One applied already is skipped (its history
   * row's timing is returned). A failure leaves no failed history row and no INVALID index.
   */
  ApplyResult applyMigrations(ApplyInput input);

  /** History rows successful, the verify scripts true, a smoke query. MIGRATION_FAILED if not. */
  VerifyResult verifyMigrations(VerifyInput input);

  /**
   * Runs the down scripts of the applied versions in reverse, each with its history row's delete in
   * one transaction, then proves the schema equals {@code before}. ROLLBACK_FAILED, with what is
   * applied and what is not and the backup to restore from, when it cannot.
   */
  RollbackResult rollbackMigrations(RollbackInput input);
}
