package dev.runbooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How the benchmarks state what they measured: the {@code FIGURE <name> <value>} lines they end
 * with, the medians of interleaved runs and their ratios, durations and sizes as people read them,
 * and the machine's load beside them.
 */
final class Figures {
  private Figures() {}

  /** {@code FIGURE <name> <value>}, the value to two decimals. */
  static String figure(String name, double value) {
    return String.format(Locale.ROOT, "FIGURE %s %.2f", name, value);
  }

  /** The middle time of {@code runs}, or the mean of the two middle ones. */
  static <T> Duration median(List<T> runs, Function<T, Duration> f) {
    List<Duration> sorted = runs.stream().map(f).sorted().toList();
    int n = sorted.size();
    if (n % 2 == 1) {
      return sorted.get(n / 2);
    }
    return sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
  }

  static double ratio(Duration a, Duration b) {
    return (double) a.toNanos() / b.toNanos();
  }

  /** Each round's runbook time over the same round's baseline time. */
  static <A, B> List<Double> perRound(
      List<A> runbook, Function<A, Duration> a, List<B> baseline, Function<B, Duration> b) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(runbook.size(), baseline.size()); i++) {
      ratios.add(ratio(a.apply(runbook.get(i)), b.apply(baseline.get(i))));
    }
    return ratios;
  }

  static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** {@code "1.23 s"}. */
  static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", seconds(d));
  }

  static String size(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
  }

  /** The 1-minute load average, from /proc/loadavg. */
  static String loadAverage() {
    String all = loadAverages();
    return all.equals("unknown") ? all : all.split("\\s+")[0];
  }

  /** The whole of /proc/loadavg: the 1, 5 and 15-minute averages and the run queue. */
  static String loadAverages() {
    try {
      return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
