package dev.runbooks.workflows.failover;

import java.time.Duration;
import java.util.Objects;

public record StepTiming(String step, Duration duration) {
  public StepTiming {
    Objects.requireNonNull(step, "step");
    Objects.requireNonNull(duration, "duration");
  }
}
