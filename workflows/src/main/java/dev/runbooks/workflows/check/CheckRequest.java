package dev.runbooks.workflows.check;

import dev.runbooks.workflows.shared.RunbookRequest;
import java.time.Duration;
import java.util.Objects;

public record CheckRequest(RunbookRequest runbook, Duration longTransaction) {
  public CheckRequest {
    Objects.requireNonNull(runbook, "runbook");
    Objects.requireNonNull(longTransaction, "longTransaction");
  }
}
