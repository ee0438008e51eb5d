package dev.runbooks.activities.migration;

import dev.runbooks.workflows.migration.MigrationInput;
import dev.runbooks.workflows.migration.SchemaSnapshot;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;

/**
 * The schema snapshot taken before the migration (in the backup step), kept on this worker for the
 * rollback to prove itself against, and only its hash in the workflow.
 */
final class SchemaSnapshots {

  private final Migrators m;

  SchemaSnapshots(Migrators m) {
    this.m = m;
  }

  SchemaSnapshot snapshotSchema(MigrationInput input) {
    String target = input.target();
    String context = "schema snapshot of target " + target;
    try {
      SchemaDumps.Schema schema = m.schema(target);
      m.dumps.keep(input.idempotencyKey(), schema);
      return new SchemaSnapshot(
          input.idempotencyKey(), schema.sha256(), schema.statements().size());
    } catch (IOException e) {
      throw FailureType.MIGRATION_FAILED.failure(context + ": " + e.getMessage());
    }
  }
}
