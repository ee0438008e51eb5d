package dev.runbooks.workflows.migration;

import java.util.List;

/**
 * @param undone the down scripts run, newest first
 * @param schemaMatches the schema equals the one before the run (normalised pg_dump comparison)
 */
public record RollbackResult(List<VersionTiming> undone, boolean schemaMatches) {
  public RollbackResult {
    undone = List.copyOf(undone);
  }
}
