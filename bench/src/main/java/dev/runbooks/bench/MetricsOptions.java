package dev.runbooks.bench;

import java.nio.file.Path;

/**
 * The options of {@code bench/metrics}.
 *
 * @param rounds scrape rounds, each with a new worker JVM; medians shown
 * @param codecRounds rounds of the codec measurement, each a run without and one with it
 * @param targets targets in the scraped repository
 * @param backups complete backups per target
 * @param rows rows in the database the codec runs back up
 * @param keep leave the cluster running and the working directory in place
 * @param runbookJar the shaded CLI that is measured
 */
record MetricsOptions(
    int rounds, int codecRounds, int targets, int backups, int rows, boolean keep, Path runbookJar)
    implements BenchArgs.Common {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: bench/metrics [--rounds N] [--codec-rounds N] [--targets N] [--backups N]"
              + " [--rows N] [--keep] [--runbook-jar FILE]",
          "  --rounds N          scrape rounds, a new worker JVM each; medians (default 5)",
          "  --codec-rounds N    backup runs without and with the codec, interleaved (default 9)",
          "  --targets N         targets in the scraped file repository (default 50)",
          "  --backups N         complete backups per target (default 30)",
          "  --rows N            rows of the database the codec measurement backs up"
              + " (default 200000)",
          "  --keep              keep the cluster running and the working directory",
          "  --runbook-jar FILE  the CLI to measure (default cli/target/runbook.jar)");

  static MetricsOptions parse(String... args) {
    BenchArgs given =
        BenchArgs.parse(args, "--rounds", "--codec-rounds", "--targets", "--backups", "--rows");
    return new MetricsOptions(
        given.positive("--rounds", 5),
        given.positive("--codec-rounds", 9),
        given.positive("--targets", 50),
        given.positive("--backups", 30),
        given.positive("--rows", 200_000),
        given.keep(),
        given.runbookJar());
  }
}
