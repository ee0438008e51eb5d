package dev.runbooks.workflows.shared;

import java.util.Objects;

/**
 * What a long activity reports in its heartbeat: {@code done} of {@code total} units (bytes,
 * tables). {@code total} is 0 when unknown. The CLI's {@code watch} turns it into a progress bar.
 */
public record ActivityProgress(String step, long done, long total, String unit) {
  public ActivityProgress {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(unit, "unit");
  }
}
