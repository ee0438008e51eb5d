package dev.runbooks.cli;

import dev.runbooks.workflows.shared.ActivityProgress;
import dev.runbooks.workflows.shared.Step;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/** Small text renderings shared by status, watch and the reports. */
final class Text {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss z").withZone(ZoneId.systemDefault());
  private static final int BAR_WIDTH = 24;

  private Text() {}

  static String time(Instant instant) {
    return instant == null ? "-" : TIME.format(instant);
  }

  /** "1.2s", "3m04s", "1h02m". */
  static String duration(Duration d) {
    long seconds = d.toSeconds();
    if (seconds < 60) {
      return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }
    if (seconds < 3600) {
      return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
    }
    return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
  }

  /** How long a step took, or has taken so far; empty before it starts. */
  static String elapsed(Step step, Instant now) {
    if (step.start() == null) {
      return "";
    }
    Instant end = step.end() == null ? now : step.end();
    return duration(
        Duration.between(step.start(), end.isBefore(step.start()) ? step.start() : end));
  }

  /**
   * {@code [#########...............] 38% 1.2 GB of 3.1 GB}, or a count when the total is unknown.
   */
  static String bar(ActivityProgress progress) {
    String detail = progress.detail() == null ? "" : "; " + progress.detail();
    if (progress.total() <= 0) {
      return amount(progress.done(), progress.unit()) + " so far" + detail;
    }
    double fraction = Math.min(1.0, Math.max(0.0, (double) progress.done() / progress.total()));
    int filled = (int) Math.round(fraction * BAR_WIDTH);
    return "["
        + "#".repeat(filled)
        + ".".repeat(BAR_WIDTH - filled)
        + "] "
        + String.format(Locale.ROOT, "%3d%%", Math.round(fraction * 100))
        + "  "
        + amount(progress.done(), progress.unit())
        + " of "
        + amount(progress.total(), progress.unit())
        + detail;
  }

  /**
   * Where the progress is, coarsely, for plain output that should not repeat itself: the percentage
   * done in steps of 25; without a total, each doubling of the amount done (1 MB, 2 MB, 4 MB...),
   * so a long dump of unknown size still shows it moves, in a few dozen lines at most.
   */
  static long milestone(ActivityProgress progress) {
    if (progress.total() <= 0) {
      return -(64 - Long.numberOfLeadingZeros(Math.max(0, progress.done())));
    }
    return Math.min(4, progress.done() * 4 / progress.total());
  }

  static String amount(long value, String unit) {
    if (unit.equalsIgnoreCase("bytes") || unit.equalsIgnoreCase("B")) {
      String[] units = {"B", "KB", "MB", "GB", "TB"};
      double v = value;
      int i = 0;
      while (v >= 1024 && i < units.length - 1) {
        v /= 1024;
        i++;
      }
      return i == 0 ? value + " B" : String.format(Locale.ROOT, "%.1f %s", v, units[i]);
    }
    return value + " " + unit;
  }

  static String pad(String s, int width) {
    return s.length() >= width ? s : s + " ".repeat(width - s.length());
  }
}
