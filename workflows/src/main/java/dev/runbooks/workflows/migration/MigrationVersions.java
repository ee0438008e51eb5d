package dev.runbooks.workflows.migration;

import java.util.List;

/**
 * Where a migration run left the target's versions, for its result in text and JSON, whatever its
 * end.
 *
 * @param applied the versions this run applied, in order (undone since or not)
 * @param undone the versions its rollback undid, newest first
 * @param left the planned versions not applied at the end
 * @param schemaEqualsBefore whether the schema is the one before the run: true after a proven
 *     rollback or when nothing changed, null when the run applied its versions (it is not meant to
 *     be)
 */
public record MigrationVersions(
    List<String> applied, List<String> undone, List<String> left, Boolean schemaEqualsBefore) {
  /** The query's name. */
  public static final String QUERY = "versions";

  public MigrationVersions {
    applied = List.copyOf(applied);
    undone = List.copyOf(undone);
    left = List.copyOf(left);
  }

  /** Nothing applied yet: everything planned is left, and the schema is as before. */
  public static MigrationVersions before(List<String> planned) {
    return new MigrationVersions(List.of(), List.of(), planned, true);
  }
}
