package dev.runbooks.bench;

import static dev.runbooks.bench.Figures.figure;
import static dev.runbooks.bench.Figures.loadAverage;
import static dev.runbooks.bench.Figures.median;
import static dev.runbooks.bench.Figures.perRound;
import static dev.runbooks.bench.Figures.ratio;
import static dev.runbooks.bench.Figures.secs;
import static dev.runbooks.bench.Figures.size;

import dev.runbooks.bench.BackupRuns.BackupRun;
import dev.runbooks.bench.BackupRuns.Baseline;
import dev.runbooks.bench.BackupRuns.DrillRun;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * What {@code bench/backup} prints once it has measured: each measurement's median and range, what
 * the figures mean, the ratios against their targets round by round, the worker's peak RSS across
 * sizes, and last the {@code FIGURE} lines.
 */
final class BackupReport {
  static final double TARGET_BACKUP_RATIO = 1.10;
  static final double TARGET_BACKUP_ZSTD_RATIO = 1.15;
  static final double TARGET_DRILL_RATIO = 1.20;
  static final double TARGET_RSS_MB = 300;

  /**
   * Peak RSS counts as flat across sizes when the large run's is within this share of the small.
   */
  static final double FLAT_SHARE = 0.10;

  /** Everything measured, in the order the runs were taken; RSS in kB. */
  record Results(
      String serverVersion,
      long largeBytes,
      long smallBytes,
      long dumpBytes,
      List<BackupRun> small,
      List<Baseline> pgDumps,
      List<Baseline> pgDumpsZstd,
      List<BackupRun> toFile,
      List<BackupRun> toS3,
      List<BackupRun> toFileCompared,
      List<Baseline> pgRestores,
      List<DrillRun> drills,
      long rssSmall,
      long rssLarge) {}

  private final BackupOptions options;
  private final String loadAtStart;
  private final PrintStream out;

  BackupReport(BackupOptions options, String loadAtStart, PrintStream out) {
    this.options = options;
    this.loadAtStart = loadAtStart;
    this.out = out;
  }

  void print(Results r) {
    Duration pgDump = median(r.pgDumps(), Baseline::took);
    Duration pgDumpZstd = median(r.pgDumpsZstd(), Baseline::took);
    Duration fileDump = median(r.toFile(), BackupRun::dumpStep);
    Duration s3Dump = median(r.toS3(), BackupRun::dumpStep);
    Duration pgRestore = median(r.pgRestores(), Baseline::took);
    Duration drill = median(r.drills(), DrillRun::drill);
    Duration drillRestore = median(r.drills(), DrillRun::restore);
    double fileRatio = ratio(fileDump, pgDump);
    double fileZstdRatio = ratio(fileDump, pgDumpZstd);
    double s3Ratio = ratio(s3Dump, pgDump);
    double drillRatio = ratio(drill, pgRestore);
    double rssSmallMb = r.rssSmall() / 1024.0;
    double rssLargeMb = r.rssLarge() / 1024.0;

    out.println();
    out.println(
        String.format(
            Locale.ROOT,
            "Backup runbook vs pg_dump/pg_restore: pgbench -s %d (%s), PostgreSQL %s, %d run(s)"
                + " of each, interleaved; median [min..max]",
            options.scaleLarge(),
            size(r.largeBytes()),
            r.serverVersion(),
            options.runs()));
    out.println(String.format(Locale.ROOT, "%-46s %9s  %s", "", "time", "range"));
    row("pg_dump -Fc -f FILE", r.pgDumps(), Baseline::took);
    row("pg_dump -Fc -Z0 | zstd -3 > FILE", r.pgDumpsZstd(), Baseline::took);
    row("backup -> file repository (dump step)", r.toFile(), BackupRun::dumpStep);
    row("  its dump activity's own clock", r.toFile(), BackupRun::dump);
    row("backup -> S3Mock (dump step)", r.toS3(), BackupRun::dumpStep);
    row("  its dump activity's own clock", r.toS3(), BackupRun::dump);
    if (!r.toFileCompared().isEmpty()) {
      row("backup -> file, --compare-jar (dump step)", r.toFileCompared(), BackupRun::dumpStep);
    }
    row("createdb + pg_restore FILE (1 job)", r.pgRestores(), Baseline::took);
    row("restore-drill (restore + compare steps)", r.drills(), DrillRun::drill);
    row("  its restore activity alone", r.drills(), DrillRun::restore);
    row(
        "backup -> file, -s " + options.scaleSmall() + " (" + size(r.smallBytes()) + "), dump step",
        r.small(),
        BackupRun::dumpStep);
    out.println(
        "CPU of each dump (the tools, or the worker with its pg_dump; and the server's backends):");
    row("  pg_dump -Fc -f FILE", r.pgDumps(), Baseline::cpu);
    row("  pg_dump -Fc -Z0 | zstd -3 > FILE", r.pgDumpsZstd(), Baseline::cpu);
    row("  backup -> file repository", r.toFile(), BackupRun::cpu);
    if (!r.toFileCompared().isEmpty()) {
      row("  backup -> file, --compare-jar", r.toFileCompared(), BackupRun::cpu);
    }
    out.println();
    out.println(
        String.join(
            "\n",
            "The ratios compare the runbook's own step timings (the steps in each run's JSON"
                + " result, the workflow's clock) with the baselines' process times:",
            "- dump step: the backup workflow's `dump` step, start to end (opening the repository,"
                + " checking for an earlier attempt's leftovers, snapshot, pg_dump --compress=0,"
                + " zstd, SHA-256, encryption, upload, row counts in the dump's snapshot, commit, manifest), on a"
                + " worker that is already up and has run one backup (its warm-up, not counted),"
                + " as a production worker is.",
            "- dump activity's own clock: the backup's startedAt..finishedAt in its JSON result"
                + " (snapshot to commit).",
            "- restore + compare steps: the drill's `restore` and `compare` steps; its"
                + " restore activity alone: the JSON result's restoreDuration (createdb to the"
                + " digests checked).",
            "- workers: one `runbook worker` JVM per repository, on its own task queue of an"
                + " in-memory Temporal in another JVM (`runbook dev`, not measured), started once,"
                + " under "
                + BenchEnvironment.JVM_HEAP
                + " "
                + BenchEnvironment.JVM_GC
                + "; runs are started by `runbook ... --wait` clients. Peak RSS is the file"
                + " worker's /proc VmHWM (its high-water mark) after the -s "
                + options.scaleSmall()
                + " runs, then after the -s "
                + options.scaleLarge()
                + " ones: flat when the larger database needs no more memory.",
            "- the fair floor, pg_dump -Fc -Z0 | zstd -3 > FILE: the same work as the runbook's"
                + " dump less what only the runbook does (row counts, SHA-256, encryption, the"
                + " upload's commit and the manifest), zstd at the runbook's level in a process"
                + " of its own.",
            "- pg_dump output: "
                + size(r.dumpBytes())
                + " (pg_dump's default zlib compression, as a DBA runs it); a stored backup: "
                + size(r.toFile().get(0).bytes())
                + " (the runbook has pg_dump write the archive uncompressed and compresses it"
                + " with zstd, then encrypts it).",
            "- machine load (1-minute average) at the start "
                + loadAtStart
                + ", at the end "
                + loadAverage()
                + ", on "
                + Runtime.getRuntime().availableProcessors()
                + " cores: other work on the machine widens the ranges and moves the ratios."));
    out.println();
    out.println(
        String.format(Locale.ROOT, "%-28s %6s  %-9s %s", "ratio (medians)", "value", "target", ""));
    ratioRow(
        "backup_file_vs_pg_dump",
        fileRatio,
        TARGET_BACKUP_RATIO,
        perRound(r.toFile(), BackupRun::dumpStep, r.pgDumps(), Baseline::took));
    ratioRow(
        "backup_file_vs_pg_dump_zstd",
        fileZstdRatio,
        TARGET_BACKUP_ZSTD_RATIO,
        perRound(r.toFile(), BackupRun::dumpStep, r.pgDumpsZstd(), Baseline::took));
    if (!r.toFileCompared().isEmpty()) {
      Duration compared = median(r.toFileCompared(), BackupRun::dumpStep);
      ratioRow(
          "  --compare-jar vs pg_dump",
          ratio(compared, pgDump),
          Double.NaN,
          perRound(r.toFileCompared(), BackupRun::dumpStep, r.pgDumps(), Baseline::took));
      ratioRow(
          "  --compare-jar vs zstd floor",
          ratio(compared, pgDumpZstd),
          Double.NaN,
          perRound(r.toFileCompared(), BackupRun::dumpStep, r.pgDumpsZstd(), Baseline::took));
    }
    ratioRow(
        "backup_s3_vs_pg_dump",
        s3Ratio,
        Double.NaN,
        perRound(r.toS3(), BackupRun::dumpStep, r.pgDumps(), Baseline::took));
    ratioRow(
        "drill_vs_pg_restore",
        drillRatio,
        TARGET_DRILL_RATIO,
        perRound(r.drills(), DrillRun::drill, r.pgRestores(), Baseline::took));
    out.println(
        String.format(
            Locale.ROOT,
            "%-28s %6.2f  (CPU: backup -> file / the zstd floor, medians)",
            "  cpu_file_vs_zstd_floor",
            ratio(median(r.toFile(), BackupRun::cpu), median(r.pgDumpsZstd(), Baseline::cpu))));
    out.println(
        String.format(
            Locale.ROOT,
            "%-28s %6.2f  (restore activity alone vs createdb + pg_restore)",
            "  drill restore only",
            ratio(drillRestore, pgRestore)));
    double growth = (rssLargeMb - rssSmallMb) / rssSmallMb;
    boolean flat = Math.abs(growth) <= FLAT_SHARE;
    boolean under = rssSmallMb < TARGET_RSS_MB && rssLargeMb < TARGET_RSS_MB;
    out.println(
        String.format(
            Locale.ROOT,
            "peak RSS of the backup worker: -s %d %.0f MB, -s %d %.0f MB (%+.0f%%); target flat"
                + " (within %.0f%%) and under %.0f MB: %s",
            options.scaleSmall(),
            rssSmallMb,
            options.scaleLarge(),
            rssLargeMb,
            growth * 100,
            FLAT_SHARE * 100,
            TARGET_RSS_MB,
            flat && under ? "met" : "MISSED"));
    out.println();
    out.println(figure("backup_file_vs_pg_dump", fileRatio));
    out.println(figure("backup_file_vs_pg_dump_zstd", fileZstdRatio));
    out.println(figure("backup_s3_vs_pg_dump", s3Ratio));
    out.println(figure("drill_vs_pg_restore", drillRatio));
    out.println("FIGURE backup_peak_rss_mb_small " + Math.round(rssSmallMb));
    out.println("FIGURE backup_peak_rss_mb_large " + Math.round(rssLargeMb));
    out.flush();
  }

  private <T> void row(String label, List<T> runs, Function<T, Duration> time) {
    Duration min = runs.stream().map(time).min(Comparator.naturalOrder()).orElseThrow();
    Duration maxTime = runs.stream().map(time).max(Comparator.naturalOrder()).orElseThrow();
    out.println(
        String.format(
            Locale.ROOT,
            "%-46s %9s  %s",
            label,
            secs(median(runs, time)),
            "[" + secs(min) + ".." + secs(maxTime) + "]"));
  }

  private void ratioRow(String name, double value, double target, List<Double> perRound) {
    String verdict;
    String shown;
    if (Double.isNaN(target)) {
      shown = "none";
      verdict = "";
    } else {
      shown = String.format(Locale.ROOT, "<= %.2f", target);
      verdict = value <= target ? "met" : "MISSED";
    }
    StringBuilder rounds = new StringBuilder();
    for (double r : perRound) {
      rounds.append(String.format(Locale.ROOT, " %.2f", r));
    }
    out.println(
        String.format(
            Locale.ROOT,
            "%-28s %6.2f  %-9s %-7s (round by round:%s)",
            name,
            value,
            shown,
            verdict,
            rounds));
  }
}
