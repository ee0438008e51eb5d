package dev.runbooks.workflows.pitr;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.util.Objects;

public record PitrDrillRequest(RunbookRequest runbook) {
  public PitrDrillRequest {
    Objects.requireNonNull(runbook, "runbook");
  }
}
