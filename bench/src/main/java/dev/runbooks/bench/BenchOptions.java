package dev.runbooks.bench;

import java.nio.file.Path;

/**
 * The options of {@code bench/backup}.
 *
 * @param scaleLarge pgbench scale of the database the ratios are measured on (70: about 1 GB)
 * @param scaleSmall pgbench scale of the second database, for the peak RSS across sizes
 * @param runs how many times each measurement is taken (interleaved); the table shows medians
 * @param keep leave the cluster running and the working directory in place
 * @param runbookJar the shaded CLI that is measured
 */
record BenchOptions(int scaleLarge, int scaleSmall, int runs, boolean keep, Path runbookJar) {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: bench/backup [--scale-large N] [--scale-small N] [--runs N] [--keep]"
              + " [--runbook-jar FILE]",
          "  --scale-large N     pgbench scale of the measured database (default 70, about 1 GB)",
          "  --scale-small N     pgbench scale of the second database for peak RSS (default 20)",
          "  --runs N            runs of each measurement, interleaved; medians shown (default 5)",
          "  --keep              keep the cluster running and the working directory",
          "  --runbook-jar FILE  the CLI to measure (default cli/target/runbook.jar)");

  /** Wrong options: exit 2 with the message and the usage. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  static BenchOptions parse(String... args) {
    int large = 70;
    int small = 20;
    int runs = 5;
    boolean keep = false;
    Path jar = Path.of("cli", "target", "runbook.jar");
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      switch (arg) {
        case "--scale-large":
          large = positive(arg, value(args, ++i, arg));
          break;
        case "--scale-small":
          small = positive(arg, value(args, ++i, arg));
          break;
        case "--runs":
          runs = positive(arg, value(args, ++i, arg));
          break;
        case "--keep":
          keep = true;
          break;
        case "--runbook-jar":
          jar = Path.of(value(args, ++i, arg));
          break;
        default:
          throw new UsageException("unknown option " + arg);
      }
    }
    if (small >= large) {
      throw new UsageException(
          "--scale-small "
              + small
              + " is not below --scale-large "
              + large
              + ": the peak RSS is compared across two different sizes; make the small one"
              + " smaller");
    }
    return new BenchOptions(large, small, runs, keep, jar.toAbsolutePath().normalize());
  }

  private static String value(String[] args, int i, String option) {
    if (i >= args.length) {
      throw new UsageException(option + " needs a value");
    }
    return args[i];
  }

  private static int positive(String option, String text) {
    try {
      int n = Integer.parseInt(text);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw new UsageException(option + " expects a whole number above 0, found \"" + text + "\"");
  }
}
