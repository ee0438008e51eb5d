package dev.runbooks.bench;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The options of {@code bench/pitr}.
 *
 * @param scale pgbench scale of the measured database (70: about 1 GB); at the end a second
 *     database of the same scale doubles the cluster for the worker's peak RSS at that size
 * @param runs rounds of each measurement, interleaved with its floor; medians compared
 * @param wal how long pgbench writes at full speed: the archive lag is sampled meanwhile, and the
 *     PITR restore replays that WAL
 * @param idle how long the archive lag is sampled while the primary is nearly idle
 * @param clients pgbench clients while it writes at full speed
 * @param keep leave the cluster running and the working directory in place
 * @param runbookJar the shaded CLI that is measured
 */
record PitrOptions(
    int scale, int runs, Duration wal, Duration idle, int clients, boolean keep, Path runbookJar)
    implements BenchArgs.Common {
  static final String USAGE =
      String.join(
          "\n",
          "Usage: bench/pitr [--scale N] [--runs N] [--wal-seconds N] [--idle-seconds N]"
              + " [--clients N] [--keep] [--runbook-jar FILE]",
          "  --scale N           pgbench scale of the measured database (default 70, about 1 GB;"
              + " 5 for a smoke run)",
          "  --runs N            rounds of each measurement, interleaved with its floor; medians"
              + " (default 3)",
          "  --wal-seconds N     pgbench at full speed this long: archive lag sampled, WAL the"
              + " restore replays (default 300)",
          "  --idle-seconds N    archive lag sampled this long on a nearly idle primary (default"
              + " 30)",
          "  --clients N         pgbench clients at full speed (default 4)",
          "  --keep              keep the cluster running and the working directory",
          "  --runbook-jar FILE  the CLI to measure (default cli/target/runbook.jar)");

  static PitrOptions parse(String... args) {
    BenchArgs given =
        BenchArgs.parse(args, "--scale", "--runs", "--wal-seconds", "--idle-seconds", "--clients");
    int runs = given.positive("--runs", 3);
    return new PitrOptions(
        given.positive("--scale", 70),
        runs,
        Duration.ofSeconds(given.positive("--wal-seconds", 300)),
        Duration.ofSeconds(given.positive("--idle-seconds", 30)),
        given.positive("--clients", 4),
        given.keep(),
        given.runbookJar());
  }
}
