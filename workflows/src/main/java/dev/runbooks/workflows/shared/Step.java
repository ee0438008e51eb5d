package dev.runbooks.workflows.shared;

import java.time.Instant;
import java.util.Objects;

/**
 * One step of a run as {@code progress()} reports it. {@code start} and {@code end} are null until
 * the step starts and ends; {@code detail} is one line for a human.
 */
public record Step(String name, StepState state, Instant start, Instant end, String detail) {
  public Step {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    detail = detail == null ? "" : detail;
  }

  public static Step pending(String name) {
    return new Step(name, StepState.PENDING, null, null, "");
  }
}
