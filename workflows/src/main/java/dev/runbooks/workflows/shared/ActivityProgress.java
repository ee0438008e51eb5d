package dev.runbooks.workflows.shared;

import java.util.Objects;

/**
 * What a long activity reports in its heartbeat: {@code done} of {@code total} units (bytes,
 * tables). {@code total} is 0 when unknown. The CLI's {@code watch} turns it into a progress bar.
 *
 * @param detail what the activity is doing now, such as whom a migration waits for; null when it
 *     has nothing to add (and in heartbeats recorded before it had this field)
 */
public record ActivityProgress(String step, long done, long total, String unit, String detail) {
  public ActivityProgress {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(unit, "unit");
  }

  public ActivityProgress(String step, long done, long total, String unit) {
    this(step, done, total, unit, null);
  }
}
