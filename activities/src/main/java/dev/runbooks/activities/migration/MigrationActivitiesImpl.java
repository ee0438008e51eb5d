package dev.runbooks.activities.migration;

import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.migration.ApplyInput;
import dev.runbooks.workflows.migration.ApplyResult;
import dev.runbooks.workflows.migration.DriftInput;
import dev.runbooks.workflows.migration.DriftResult;
import dev.runbooks.workflows.migration.MigrationActivities;
import dev.runbooks.workflows.migration.MigrationInput;
import dev.runbooks.workflows.migration.MigrationPlan;
import dev.runbooks.workflows.migration.RehearsalInput;
import dev.runbooks.workflows.migration.RehearsalResult;
import dev.runbooks.workflows.migration.RollbackInput;
import dev.runbooks.workflows.migration.RollbackResult;
import dev.runbooks.workflows.migration.SchemaSnapshot;
import dev.runbooks.workflows.migration.ScratchInput;
import dev.runbooks.workflows.migration.VerifyInput;
import dev.runbooks.workflows.migration.VerifyResult;
import java.nio.file.Path;
import java.util.Objects;

/**
 * The migration runbook's side effects, with Flyway OSS applying and validating, and the runbook's
 * own down scripts ({@code U<version>__*.sql}) undoing: Flyway's community edition has no undo.
 * Each step of the runbook (runbooks/migration.md) is a class of its own: {@link Validation},
 * {@link ScratchCopies}, {@link Rehearsal}, {@link SchemaSnapshots}, {@link SchemaDrift}, {@link
 * Apply}, {@link Verification} and {@link Rollback}.
 *
 * <p>Database faults follow the one rule of {@code SqlFaults} (see {@link MigrationFaults} for the
 * one exception, a script's own error); a script that fails is MIGRATION_FAILED, a rollback that
 * cannot finish ROLLBACK_FAILED, and neither is retried.
 */
public final class MigrationActivitiesImpl implements MigrationActivities {
  /** Flyway's schema history table, in the target's default schema. */
  public static final String HISTORY_TABLE = "flyway_schema_history";

  /** What the comment of a schema-only rehearsal copy starts with. */
  static final String COPY_MARKER = "runbooks rehearsal copy of ";

  private final Validation validation;
  private final ScratchCopies scratchCopies;
  private final Rehearsal rehearsal;
  private final SchemaSnapshots snapshots;
  private final Apply apply;
  private final Verification verification;
  private final Rollback rollback;
  private final SchemaDrift drift;

  /**
   * @param snapshots a private directory on this worker for schema snapshots (they can be large),
   *     such as {@link SchemaDumps#workerDirectory()}
   */
  public MigrationActivitiesImpl(
      TargetConnections connections,
      MigrationTargets targets,
      PgBinaries binaries,
      Path snapshots) {
    PgTool tools = new PgTool(Objects.requireNonNull(binaries, "binaries"));
    Migrators m =
        new Migrators(
            Objects.requireNonNull(connections, "connections"),
            Objects.requireNonNull(targets, "targets"),
            tools,
            new SchemaDumps(tools, Objects.requireNonNull(snapshots, "snapshots")));
    this.validation = new Validation(m);
    this.scratchCopies = new ScratchCopies(m);
    this.rehearsal = new Rehearsal(m);
    this.snapshots = new SchemaSnapshots(m);
    this.apply = new Apply(m);
    this.drift = new SchemaDrift(m);
    this.verification = new Verification(m, drift);
    this.rollback = new Rollback(m);
  }

  @Override
  public MigrationPlan validateMigrations(MigrationInput input) {
    return validation.validateMigrations(input);
  }

  @Override
  public void copySchemaOnly(ScratchInput input) {
    scratchCopies.copySchemaOnly(input);
  }

  @Override
  public void dropScratchCopy(ScratchInput input) {
    scratchCopies.dropScratchCopy(input);
  }

  @Override
  public RehearsalResult rehearseMigrations(RehearsalInput input) {
    return rehearsal.rehearseMigrations(input);
  }

  @Override
  public SchemaSnapshot snapshotSchema(MigrationInput input) {
    return snapshots.snapshotSchema(input);
  }

  @Override
  public DriftResult checkSchemaDrift(DriftInput input) {
    return drift.checkSchemaDrift(input);
  }

  @Override
  public ApplyResult applyMigrations(ApplyInput input) {
    return apply.applyMigrations(input);
  }

  @Override
  public VerifyResult verifyMigrations(VerifyInput input) {
    return verification.verifyMigrations(input);
  }

  @Override
  public RollbackResult rollbackMigrations(RollbackInput input) {
    return rollback.rollbackMigrations(input);
  }
}
