package dev.runbooks.workflows.shared;

import java.time.Duration;
import java.util.Locale;

/** How step details show values to a person. */
public final class Texts {
  /** {@code 0.4s}, {@code 12.0s}, {@code 3m05s}. */
  public static String duration(Duration d) {
    long millis = d.toMillis();
    if (millis < 60_000) {
      return String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
    }
    long seconds = d.toSeconds();
    return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
  }

  private Texts() {}
}
