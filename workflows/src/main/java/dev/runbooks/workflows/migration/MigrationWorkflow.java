package dev.runbooks.workflows.migration;

import dev.runbooks.workflows.shared.RunbookWorkflow;
import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import java.util.List;

/**
 * Staged migration: preflight, validate, rehearse on a scratch copy (up, down, up), approval,
 * verified pre-migration backup (a child backup run), apply one version at a time, verify; a
 * failure or abort after the first apply runs the down scripts and proves the schema is back.
 */
@WorkflowInterface
public interface MigrationWorkflow extends RunbookWorkflow {
  String REFERENCED_BACKUPS = "referencedBackups";

  @WorkflowMethod
  MigrationResult run(MigrationRequest request);

  /**
   * The backups this run relies on: the one its rehearsal restored from and the pre-migration
   * backup, once known. Retention asks running migrations this and keeps them.
   */
  @QueryMethod(name = REFERENCED_BACKUPS)
  List<String> referencedBackups();
}
