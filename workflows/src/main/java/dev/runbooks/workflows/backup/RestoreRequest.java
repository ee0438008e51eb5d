package dev.runbooks.workflows.backup;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

/** An incident restore: a backup into a new database on the target, refused if it exists. */
public record RestoreRequest(RunbookRequest runbook, String backupId, String database) {
  public RestoreRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(backupId, "backupId");
    Objects.requireNonNull(database, "database");
  }
}
