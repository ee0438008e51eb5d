package dev.runbooks.activities.check;

import java.sql.SQLException;
import java.time.Duration;
import java.util.Locale;

/** How findings render numbers, durations, queries and errors: one line each, for a human. */
final class Text {
  /** How much of a query a finding's details show. */
  static final int QUERY_CHARS = 200;

  /** How much of a query a one-line summary shows. */
  static final int SHORT_QUERY_CHARS = 60;

  private static final String HIDDEN = "<insufficient privilege>";

  private Text() {}

  /**
   * Whitespace collapsed to single spaces, cut to {@code max} characters with "..." when longer.
   */
  static String oneLine(String text, int max) {
    if (text == null) {
      return "";
    }
    String line = text.strip().replaceAll("\\s+", " ");
    return line.length() <= max ? line : line.substring(0, max) + "...";
  }

  /** A session's query as a finding shows it; pg_stat_activity hides other roles' queries. */
  static String query(String query, int max) {
    if (query == null || query.isBlank()) {
      return "(no query)";
    }
    if (HIDDEN.equals(query)) {
      return "(query not visible to this role)";
    }
    return oneLine(query, max);
  }

  /** 1024-based, like pg_size_pretty: "512 bytes", "8.1 kB", "16 MB", "1.5 GB". */
  static String bytes(long bytes) {
    if (Math.abs(bytes) < 1024) {
      return bytes + " bytes";
    }
    String[] units = {"kB", "MB", "GB", "TB", "PB"};
    double value = bytes;
    int unit = -1;
    while (Math.abs(value) >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    String number =
        Math.abs(value) < 10
            ? String.format(Locale.ROOT, "%.1f", value)
            : String.format(Locale.ROOT, "%.0f", value);
    return number + " " + units[unit];
  }

  /** "850 ms", "12s", "5m 3s", "2h 10m", "3d 4h". */
  static String duration(Duration d) {
    if (d.isNegative()) {
      d = Duration.ZERO;
    }
    long seconds = d.getSeconds();
    if (seconds < 1) {
      return d.toMillis() + " ms";
    }
    if (seconds < 60) {
      return seconds + "s";
    }
    if (seconds < 3600) {
      return (seconds / 60) + "m " + (seconds % 60) + "s";
    }
    if (seconds < 86400) {
      return (seconds / 3600) + "h " + (seconds % 3600 / 60) + "m";
    }
    return (seconds / 86400) + "d " + (seconds % 86400 / 3600) + "h";
  }

  /** Seconds as PostgreSQL's {@code extract(epoch from ...)} returns them. */
  static Duration seconds(double seconds) {
    return Duration.ofNanos(Math.round(seconds * 1_000_000_000d));
  }

  static String millis(double millis) {
    return String.format(Locale.ROOT, "%.1f ms", millis);
  }

  /**
   * An error on one line: the driver's message and, when it adds something, its cause's. Neither
   * the driver nor the server puts a password in them.
   */
  static String cause(SQLException e) {
    StringBuilder line = new StringBuilder(oneLine(e.getMessage(), 400));
    Throwable cause = e.getCause();
    if (cause != null
        && cause.getMessage() != null
        && !line.toString().contains(cause.getMessage())) {
      line.append(" (")
          .append(cause.getClass().getSimpleName())
          .append(": ")
          .append(oneLine(cause.getMessage(), 200))
          .append(')');
    }
    if (e.getSQLState() != null) {
      line.append(" [SQLSTATE ").append(e.getSQLState()).append(']');
    }
    return line.toString();
  }
}
