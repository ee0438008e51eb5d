package dev.runbooks.workflows.shared;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** How step details and plans show values to a person. */
public final class Texts {
  /** {@code 0.4s}, {@code 12.0s}, {@code 3m05s}, {@code 2h05m}. */
  public static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = d.toSeconds();
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /**
   * A plan's numbered lines, one per step in the workflow's own order ({@code 1. preflight: ...}),
   * so the plan an operator reads cannot drift from the steps the run shows.
   *
   * @param what what a step does; fails for a step the plan does not know
   */
  public static String numbered(List<String> steps, Function<String, String> what) {
    StringBuilder lines = new StringBuilder();
    for (int i = 0; i < steps.size(); i++) {
      lines.append(i + 1).append(". ").append(steps.get(i)).append(": ");
      lines.append(what.apply(steps.get(i))).append('\n');
    }
    return lines.toString();
  }

  /** For a plan's step switch: a step of the workflow that the plan has no words for. */
  public static IllegalStateException unknownStep(String step) {
    return new IllegalStateException("the plan says nothing about step " + step);
  }

  private Texts() {}
}
