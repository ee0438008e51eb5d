package dev.runbooks.workflows.failover;

import java.util.List;
import java.util.Objects;

/**
 * @param rejoined the old primary runs as a replica of the new one
 * @param detail one line for a person
 * @param manualSteps what a person must do when it was not rejoined
 */
public record Rejoin(boolean rejoined, String detail, List<String> manualSteps) {
  public Rejoin {
    Objects.requireNonNull(detail, "detail");
    manualSteps = List.copyOf(manualSteps);
  }
}
