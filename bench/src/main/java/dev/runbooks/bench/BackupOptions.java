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
 * @param compareJar another build of the CLI whose file backups are measured in the same rounds
 *     (before and after a change, under the same load), or null
 */
record BackupOptions(
    int scaleLarge, int scaleSmall, int runs, boolean keep, Path runbookJar, Path compareJar)
    implements BenchArgs.Common {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: bench/backup [--scale-large N] [--scale-small N] [--runs N] [--keep]"
              + " [--runbook-jar FILE] [--compare-jar FILE]",
          "  --scale-large N     pgbench scale of the measured database (default 70, about 1 GB)",
          "  --scale-small N     pgbench scale of the second database for peak RSS (default 20)",
          "  --runs N            runs of each measurement, interleaved; medians shown (default 5)",
          "  --keep              keep the cluster running and the working directory",
          "  --runbook-jar FILE  the CLI to measure (default cli/target/runbook.jar)",
          "  --compare-jar FILE  another build of the CLI: its file backups run in the same"
              + " rounds");

  static BackupOptions parse(String... args) {
    BenchArgs given =
        BenchArgs.parse(args, "--scale-large", "--scale-small", "--runs", "--compare-jar");
    int large = given.positive("--scale-large", 70);
    int small = given.positive("--scale-small", 20);
    if (small >= large) {
      throw new BenchArgs.UsageException(
          "--scale-small "
              + small
              + " is not below --scale-large "
              + large
              + ": the peak RSS is compared across two different sizes; make the small one"
              + " smaller");
    }
    return new BackupOptions(
        large,
        small,
        given.positive("--runs", 5),
        given.keep(),
        given.runbookJar(),
        given.file("--compare-jar"));
  }
}
