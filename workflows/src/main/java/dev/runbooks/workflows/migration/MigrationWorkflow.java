package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.backup.BackupReferences;
import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Staged migration: preflight, validate, rehearse on a scratch copy (up, down, up), approval,
 * verified pre-migration backup (a child backup run), apply one version at a time, verify; a
 * failure or abort after the first apply runs the down scripts and proves the schema is back.
 */
@WorkflowInterface
public interface MigrationWorkflow extends RunbookWorkflow, BackupReferences {
  /**
   * Runs the migration. While it runs, {@link #referencedBackups()} names the backup its rehearsal
   * restored from and the pre-migration backup, once known: retention keeps them.
   */
  @WorkflowMethod
  MigrationResult run(MigrationRequest request);

  /** Which versions the run applied, undid and left, and whether the schema is the one before. */
  @QueryMethod(name = MigrationVersions.QUERY)
  MigrationVersions versions();
}
