package dev.runbooks.workflows.backup;

import java.util.Objects;

/**
 * A backup of a target restored into a database on the target's server (or the configured drill
 * server).
 *
 * @param mustNotExist refuse when the database already exists (an incident restore); a drill's
 *     scratch database is named after the run and re-created when a retry finds it
 */
public record RestoreInput(
    String target, String backupId, String database, boolean mustNotExist, String idempotencyKey) {
  public RestoreInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(database, "database");
    Objects.requireNonNull(idempotencyKey, "idempotencyKey");
  }
}
