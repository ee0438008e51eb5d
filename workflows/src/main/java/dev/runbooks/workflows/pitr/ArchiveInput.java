package dev.runbooks.workflows.pitr;

import java.time.Duration;
import java.util.Objects;

/**
 * One archiving session: stream the target's WAL into its archive for {@code length}, then return
 * (the workflow starts the next one), so no activity runs for ever.
 */
public record ArchiveInput(String target, Duration length) {
  public ArchiveInput {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(length, "length");
  }
}
