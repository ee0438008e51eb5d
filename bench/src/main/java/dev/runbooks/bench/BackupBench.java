package dev.runbooks.bench;

import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.pgtools.PgToolsException;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The backup runbook against its plain baselines, in one run on one throwaway cluster:
 *
 * <ol>
 *   <li>{@code pg_dump -Fc -f FILE}, as a DBA runs it (default compression);
 *   <li>{@code runbook backup --no-verify} into a file repository and into an S3-compatible server
 *       (S3Mock in this JVM), run by long-running worker JVMs ({@code runbook worker}, one per
 *       repository, beside an in-memory Temporal in a JVM of its own) under {@code -Xmx256m
 *       -XX:+UseSerialGC}, the file worker's peak RSS polled from /proc;
 *   <li>{@code createdb} + {@code pg_restore FILE} (one job: a streamed restore is single-job);
 *   <li>{@code runbook restore-drill} of a backup from step 2, on the file worker.
 * </ol>
 *
 * Every measurement runs {@code --runs} times, interleaved with its baseline, and the medians are
 * compared. The runbook's figures are its own step timings on workers that are already up and have
 * run one uncounted backup, as in production: neither JVM start-up nor the client's time is
 * counted. The last lines are the {@code FIGURE} lines.
 */
public final class BackupBench {
  static final String TARGET = "bench";
  static final String SMALL_TARGET = "bench-small";
  static final String LARGE_DB = "bench_large";
  static final String SMALL_DB = "bench_small";
  static final String BUCKET = "bench";
  static final String JVM_HEAP = "-Xmx256m";
  static final String JVM_GC = "-XX:+UseSerialGC";

  /** The runbook's pg_dump flags (BackupActivitiesImpl), less the snapshot it exports itself. */
  static final List<String> PG_DUMP_FLAGS =
      List.of("--format=custom", "--lock-wait-timeout=60s", "--no-password");

  /** The drill's pg_restore flags (RestoreActivitiesImpl); it reads stdin, so one job. */
  static final List<String> PG_RESTORE_FLAGS = List.of("--exit-on-error", "--no-password");

  static final double TARGET_BACKUP_RATIO = 1.10;
  static final double TARGET_DRILL_RATIO = 1.20;
  static final double TARGET_RSS_MB = 300;

  /**
   * Peak RSS counts as flat across sizes when the large run's is within this share of the small.
   */
  static final double FLAT_SHARE = 0.10;

  private static final Duration TOOL_TIMEOUT = Duration.ofMinutes(60);

  private final BenchOptions options;
  private final PrintStream out;
  private final PrintStream err;
  private final PgBinaries binaries;
  private final Path work;
  private final Path logs;
  private int sequence;
  private boolean failed;
  private String loadAtStart;

  private LocalCluster cluster;

  private BackupBench(
      BenchOptions options, PgBinaries binaries, Path work, PrintStream out, PrintStream err) {
    this.options = options;
    this.binaries = binaries;
    this.work = work;
    this.logs = work.resolve("logs");
    this.out = out;
    this.err = err;
  }

  public static void main(String[] args) {
    // S3Mock's Spring context keeps non-daemon threads: end the JVM with the exit code.
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    BenchOptions options;
    PgBinaries binaries;
    try {
      if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
        out.println(BenchOptions.USAGE);
        return 0;
      }
      options = BenchOptions.parse(args);
      binaries = PgBinaries.require();
      binaries.bin("pgbench");
      binaries.bin("pg_dump");
      binaries.bin("pg_restore");
      binaries.bin("createdb");
    } catch (BenchOptions.UsageException e) {
      err.println("bench/backup: " + e.getMessage());
      err.println(BenchOptions.USAGE);
      return 2;
    } catch (MissingPostgresException e) {
      err.println("bench/backup: " + e.getMessage());
      return 2;
    }
    if (!Files.isRegularFile(options.runbookJar())) {
      err.println(
          "bench/backup: expected the runbook CLI at "
              + options.runbookJar()
              + ", but it is not there. Build it with ./mvnw -B -q -pl bench -am package"
              + " -DskipTests (bench/backup does), or name it with --runbook-jar FILE.");
      return 2;
    }
    if (!Files.isReadable(Path.of("/proc/self/status"))) {
      err.println(
          "bench/backup: expected Linux's /proc/<pid>/status to read the worker's peak RSS from,"
              + " but there is none here. Run it on Linux.");
      return 2;
    }
    Path work;
    try {
      work = Files.createTempDirectory("runbooks-bench-");
      Files.createDirectories(work.resolve("logs"));
    } catch (IOException e) {
      err.println("bench/backup: could not make a working directory: " + e);
      return 1;
    }
    BackupBench bench = new BackupBench(options, binaries, work, out, err);
    try {
      bench.measure();
      return 0;
    } catch (BenchException | PgToolsException | SQLException | UncheckedIOException e) {
      err.println("bench/backup: FAILED: " + e.getMessage());
      err.println("The runs' output is in " + bench.logs + " (kept).");
      bench.failed = true;
      return 1;
    } catch (RuntimeException e) {
      err.println("bench/backup: FAILED unexpectedly (a bug in the benchmark): " + e);
      e.printStackTrace(err);
      err.println("The runs' output is in " + bench.logs + " (kept).");
      bench.failed = true;
      return 1;
    } finally {
      bench.cleanUp();
    }
  }

  // ---- the measurements

  private record Baseline(Duration took) {}

  private record BackupRun(String backupId, Duration dump, Duration dumpStep, long bytes) {}

  private record DrillRun(Duration restore, Duration restoreStep, Duration compareStep) {
    /** The drill as the figure counts it: its restore and compare steps. */
    Duration drill() {
      return restoreStep.plus(compareStep);
    }
  }

  private void measure() throws SQLException {
    loadAtStart = loadAverage();
    String serverVersion = prepareCluster();
    long largeBytes = databaseSize(LARGE_DB);
    long smallBytes = databaseSize(SMALL_DB);
    Path fileConfig = writeConfig("runbooks-file.yaml", "file://" + work.resolve("repository"));
    Path s3Config = writeConfig("runbooks-s3.yaml", "s3://" + BUCKET + "/x");
    Path baselineDump = work.resolve("pg_dump.dump");

    List<BackupRun> small = new ArrayList<>();
    List<Baseline> pgDumps = new ArrayList<>();
    List<BackupRun> toFile = new ArrayList<>();
    List<BackupRun> toS3 = new ArrayList<>();
    List<Baseline> pgRestores = new ArrayList<>();
    List<DrillRun> drills = new ArrayList<>();

    err.println("== S3Mock (in this JVM)");
    long rssSmall;
    long rssLarge;
    try (S3Server s3 = S3Server.start(work.resolve("s3"), BUCKET)) {
      Map<String, String> s3Env = s3Environment(s3);
      err.println("   at " + s3.endpoint());
      err.println("== Temporal in memory (runbook dev), not measured");
      try (BenchWorker temporal = temporal(fileConfig)) {
        err.println(
            "== workers: runbook worker, "
                + JVM_HEAP
                + " "
                + JVM_GC
                + ", one per repository, each on its own task queue");
        try (BenchWorker fileWorker = worker("worker-file", fileConfig, Map.of(), temporal);
            BenchWorker s3Worker = worker("worker-s3", s3Config, s3Env, temporal)) {
          // Not counted: each worker's first run (the keyset is made on the first backup, S3Mock
          // sets itself up on its first request, and a worker's code is cold until it has run).
          err.println("== warm-up (not counted): a backup of -s " + options.scaleSmall() + " each");
          backup("warm-up-file", SMALL_TARGET, fileWorker, fileConfig);
          backup("warm-up-s3", SMALL_TARGET, s3Worker, s3Config);
          for (int r = 1; r <= options.runs(); r++) {
            err.println("== round " + r + "/" + options.runs() + ": -s " + options.scaleSmall());
            small.add(backup("backup-small-file", SMALL_TARGET, fileWorker, fileConfig));
          }
          rssSmall = fileWorker.peakRssKb();
          for (int r = 1; r <= options.runs(); r++) {
            err.println(
                "== round " + r + "/" + options.runs() + ": dumps of -s " + options.scaleLarge());
            pgDumps.add(pgDump(LARGE_DB, baselineDump));
            toFile.add(backup("backup-file", TARGET, fileWorker, fileConfig));
            toS3.add(backup("backup-s3", TARGET, s3Worker, s3Config));
          }
          rssLarge = fileWorker.peakRssKb();
          for (int r = 1; r <= options.runs(); r++) {
            err.println(
                "== round "
                    + r
                    + "/"
                    + options.runs()
                    + ": restores of -s "
                    + options.scaleLarge());
            pgRestores.add(pgRestore(baselineDump, "restored_baseline"));
            drills.add(drill(fileWorker, fileConfig, toFile.get(r - 1).backupId()));
          }
        }
      }
    }

    long dumpBytes = fileSize(baselineDump);
    report(
        serverVersion,
        largeBytes,
        smallBytes,
        dumpBytes,
        small,
        pgDumps,
        toFile,
        toS3,
        pgRestores,
        drills,
        rssSmall,
        rssLarge);
  }

  /** Starts the cluster and fills both databases with pgbench; the server's version. */
  private String prepareCluster() throws SQLException {
    err.println(
        "== throwaway PostgreSQL "
            + binaries.majorVersion()
            + " cluster from "
            + binaries.binDir());
    cluster =
        LocalCluster.builder()
            .name("bench")
            .binaries(binaries)
            // Steady timings: no checkpoint or autovacuum of an earlier step in a later one's.
            .setting("max_wal_size", "8GB")
            .setting("checkpoint_timeout", "1h")
            .setting("autovacuum", "off")
            .start();
    cluster.execute("postgres", "CREATE DATABASE " + SMALL_DB, "CREATE DATABASE " + LARGE_DB);
    for (Map.Entry<String, Integer> db :
        List.of(
            Map.entry(SMALL_DB, options.scaleSmall()), Map.entry(LARGE_DB, options.scaleLarge()))) {
      err.println("== pgbench -i -s " + db.getValue() + " " + db.getKey() + " (takes a while)");
      Child.run(
              "pgbench -i -s " + db.getValue(),
              List.of(
                  binaries.bin("pgbench").toString(),
                  "-i",
                  "-I",
                  "dtGvp",
                  "-s",
                  db.getValue().toString(),
                  db.getKey()),
              baselineEnvironment(),
              work,
              logs,
              "pgbench-" + db.getKey(),
              TOOL_TIMEOUT,
              false)
          .requireSuccess();
    }
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private Baseline pgDump(String database, Path file) throws SQLException {
    deleteIfExists(file);
    checkpoint();
    List<String> argv = new ArrayList<>();
    argv.add(binaries.bin("pg_dump").toString());
    argv.addAll(PG_DUMP_FLAGS);
    argv.add("--file=" + file);
    argv.add("--dbname=" + database);
    Child.Outcome o =
        Child.run(
                "pg_dump",
                argv,
                baselineEnvironment(),
                work,
                logs,
                next("pg_dump"),
                TOOL_TIMEOUT,
                false)
            .requireSuccess();
    err.println(String.format(Locale.ROOT, "   pg_dump -Fc -f FILE         %s", secs(o.wall())));
    return new Baseline(o.wall());
  }

  private Baseline pgRestore(Path file, String database) throws SQLException {
    cluster.execute("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    checkpoint();
    Map<String, String> env = baselineEnvironment();
    Child.Outcome created =
        Child.run(
                "createdb",
                List.of(binaries.bin("createdb").toString(), database),
                env,
                work,
                logs,
                next("createdb"),
                TOOL_TIMEOUT,
                false)
            .requireSuccess();
    List<String> argv = new ArrayList<>();
    argv.add(binaries.bin("pg_restore").toString());
    argv.addAll(PG_RESTORE_FLAGS);
    argv.add("--dbname=" + database);
    argv.add(file.toString());
    Child.Outcome restored =
        Child.run("pg_restore", argv, env, work, logs, next("pg_restore"), TOOL_TIMEOUT, false)
            .requireSuccess();
    Duration took = created.wall().plus(restored.wall());
    err.println(String.format(Locale.ROOT, "   createdb + pg_restore FILE  %s", secs(took)));
    cluster.execute("postgres", "DROP DATABASE " + database + " WITH (FORCE)");
    return new Baseline(took);
  }

  private BackupRun backup(String name, String target, BenchWorker worker, Path config)
      throws SQLException {
    checkpoint();
    Child.Outcome o =
        client(
            name,
            worker,
            "backup",
            "--target",
            target,
            "--no-verify",
            "--wait",
            "--output",
            "json",
            "--config",
            config.toString());
    RunbookOutput.Backup b = RunbookOutput.backup(o);
    Duration step = RunbookOutput.step(o, "dump");
    err.println(
        String.format(
            Locale.ROOT,
            "   %-27s dump step %s (activity %s, worker's peak RSS so far %.0f MB)",
            name,
            secs(step),
            secs(b.dump()),
            worker.peakRssKb() / 1024.0));
    return new BackupRun(b.backupId(), b.dump(), step, b.storedBytes());
  }

  private DrillRun drill(BenchWorker worker, Path config, String backupId) throws SQLException {
    checkpoint();
    Child.Outcome o =
        client(
            "restore-drill",
            worker,
            "restore-drill",
            "--target",
            TARGET,
            "--backup",
            backupId,
            "--wait",
            "--output",
            "json",
            "--config",
            config.toString());
    RunbookOutput.Drill d = RunbookOutput.drill(o);
    DrillRun run =
        new DrillRun(
            d.restore(), RunbookOutput.step(o, "restore"), RunbookOutput.step(o, "compare"));
    err.println(
        String.format(
            Locale.ROOT,
            "   restore-drill               %s (restore %s + compare %s; restore activity %s)",
            secs(run.drill()),
            secs(run.restoreStep()),
            secs(run.compareStep()),
            secs(run.restore())));
    return run;
  }

  /** The in-memory Temporal ({@code runbook dev}) the workers and clients use; not measured. */
  private BenchWorker temporal(Path config) {
    BenchWorker temporal =
        BenchWorker.startTemporal(
            "runbook dev (temporal)",
            List.of(javaBin(), "-Xmx512m"),
            options.runbookJar(),
            config,
            "bench-unused",
            cleanEnvironment(),
            work,
            logs,
            next("temporal"));
    err.println("   at " + temporal.address());
    return temporal;
  }

  /**
   * A worker JVM ({@code runbook worker}) under {@value #JVM_HEAP} for one configuration, on a task
   * queue of its own on {@code temporal}.
   */
  private BenchWorker worker(
      String name, Path config, Map<String, String> extraEnv, BenchWorker temporal) {
    Map<String, String> env = cleanEnvironment();
    env.putAll(extraEnv);
    BenchWorker worker =
        BenchWorker.startWorker(
            "runbook worker (" + name + ")",
            List.of(javaBin(), JVM_HEAP, JVM_GC),
            options.runbookJar(),
            config,
            temporal.address(),
            "bench-" + name,
            env,
            work,
            logs,
            next(name));
    err.println("   " + name + " on task queue bench-" + name);
    return worker;
  }

  /**
   * {@code runbook ARGS --temporal ADDRESS}: a client that starts a run on {@code worker}'s
   * Temporal and waits for its result. Its own JVM is neither timed nor measured.
   */
  private Child.Outcome client(String name, BenchWorker worker, String... args) {
    List<String> argv =
        new ArrayList<>(List.of(javaBin(), "-jar", options.runbookJar().toString()));
    argv.addAll(List.of(args));
    argv.addAll(worker.clientArguments());
    Child.Outcome outcome =
        Child.run(
            "runbook " + String.join(" ", args),
            argv,
            cleanEnvironment(),
            work,
            logs,
            next(name),
            TOOL_TIMEOUT,
            false);
    worker.requireAlive();
    return outcome.requireSuccess();
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  // ---- the report

  private void report(
      String serverVersion,
      long largeBytes,
      long smallBytes,
      long dumpBytes,
      List<BackupRun> small,
      List<Baseline> pgDumps,
      List<BackupRun> toFile,
      List<BackupRun> toS3,
      List<Baseline> pgRestores,
      List<DrillRun> drills,
      long rssSmall,
      long rssLarge) {
    Duration pgDump = median(pgDumps, Baseline::took);
    Duration fileDump = median(toFile, BackupRun::dumpStep);
    Duration s3Dump = median(toS3, BackupRun::dumpStep);
    Duration pgRestore = median(pgRestores, Baseline::took);
    Duration drill = median(drills, DrillRun::drill);
    Duration drillRestore = median(drills, DrillRun::restore);
    double fileRatio = ratio(fileDump, pgDump);
    double s3Ratio = ratio(s3Dump, pgDump);
    double drillRatio = ratio(drill, pgRestore);
    double rssSmallMb = rssSmall / 1024.0;
    double rssLargeMb = rssLarge / 1024.0;

    out.println();
    out.println(
        String.format(
            Locale.ROOT,
            "Backup runbook vs pg_dump/pg_restore: pgbench -s %d (%s), PostgreSQL %s, %d run(s)"
                + " of each, interleaved; median [min..max]",
            options.scaleLarge(),
            size(largeBytes),
            serverVersion,
            options.runs()));
    out.println(String.format(Locale.ROOT, "%-46s %9s  %s", "", "time", "range"));
    row("pg_dump -Fc -f FILE", pgDumps, Baseline::took);
    row("backup -> file repository (dump step)", toFile, BackupRun::dumpStep);
    row("  its dump activity's own clock", toFile, BackupRun::dump);
    row("backup -> S3Mock (dump step)", toS3, BackupRun::dumpStep);
    row("  its dump activity's own clock", toS3, BackupRun::dump);
    row("createdb + pg_restore FILE (1 job)", pgRestores, Baseline::took);
    row("restore-drill (restore + compare steps)", drills, DrillRun::drill);
    row("  its restore activity alone", drills, DrillRun::restore);
    row(
        "backup -> file, -s " + options.scaleSmall() + " (" + size(smallBytes) + "), dump step",
        small,
        BackupRun::dumpStep);
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
                + JVM_HEAP
                + " "
                + JVM_GC
                + "; runs are started by `runbook ... --wait` clients. Peak RSS is the file"
                + " worker's /proc VmHWM (its high-water mark) after the -s "
                + options.scaleSmall()
                + " runs, then after the -s "
                + options.scaleLarge()
                + " ones: flat when the larger database needs no more memory.",
            "- pg_dump output: "
                + size(dumpBytes)
                + " (pg_dump's default zlib compression, as a DBA runs it); a stored backup: "
                + size(toFile.get(0).bytes())
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
        perRound(toFile, BackupRun::dumpStep, pgDumps, Baseline::took));
    ratioRow(
        "backup_s3_vs_pg_dump",
        s3Ratio,
        Double.NaN,
        perRound(toS3, BackupRun::dumpStep, pgDumps, Baseline::took));
    ratioRow(
        "drill_vs_pg_restore",
        drillRatio,
        TARGET_DRILL_RATIO,
        perRound(drills, DrillRun::drill, pgRestores, Baseline::took));
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

  /** Each round's runbook time over the same round's baseline time. */
  private static <A, B> List<Double> perRound(
      List<A> runbook, Function<A, Duration> a, List<B> baseline, Function<B, Duration> b) {
    List<Double> ratios = new ArrayList<>();
    for (int i = 0; i < Math.min(runbook.size(), baseline.size()); i++) {
      ratios.add(ratio(a.apply(runbook.get(i)), b.apply(baseline.get(i))));
    }
    return ratios;
  }

  /** The 1-minute load average, from /proc/loadavg. */
  private static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg"), StandardCharsets.UTF_8).split("\\s+")[0];
    } catch (IOException e) {
      return "unknown";
    }
  }

  static String figure(String name, double ratio) {
    return String.format(Locale.ROOT, "FIGURE %s %.2f", name, ratio);
  }

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

  static String secs(Duration d) {
    return String.format(Locale.ROOT, "%.2f s", d.toNanos() / 1e9);
  }

  static String size(long bytes) {
    if (bytes >= 1L << 30) {
      return String.format(Locale.ROOT, "%.2f GB", bytes / (double) (1L << 30));
    }
    return String.format(Locale.ROOT, "%.1f MB", bytes / (double) (1L << 20));
  }

  // ---- the environment

  private Path writeConfig(String name, String repository) {
    StringBuilder yaml =
        new StringBuilder("# Written by bench/backup for a throwaway cluster.\ntargets:\n");
    for (Map.Entry<String, String> t :
        List.of(Map.entry(TARGET, LARGE_DB), Map.entry(SMALL_TARGET, SMALL_DB))) {
      yaml.append("  ")
          .append(t.getKey())
          .append(":\n    primary: { host: ")
          .append(LocalCluster.HOST)
          .append(", port: ")
          .append(cluster.port())
          .append(", database: ")
          .append(t.getValue())
          .append(", sslmode: disable }\n    admin: { user: ")
          .append(LocalCluster.SUPERUSER)
          .append(" }\n    production: false\n");
    }
    yaml.append("repository: ").append(repository).append('\n');
    yaml.append("encryption: local-keyset:")
        .append(work.resolve("backup-keyset.json"))
        .append('\n');
    Path file = work.resolve(name);
    try {
      return Files.writeString(file, yaml.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("could not write " + file, e);
    }
  }

  /**
   * This process's environment without what could point a child elsewhere: libpq's PG* variables,
   * Runbooks' own, AWS and Temporal settings.
   */
  private static Map<String, String> cleanEnvironment() {
    Map<String, String> env = new HashMap<>(System.getenv());
    env.keySet()
        .removeIf(
            k ->
                k.startsWith("PG")
                    || k.startsWith("RUNBOOKS_")
                    || k.startsWith("AWS_")
                    || k.startsWith("TEMPORAL_"));
    return env;
  }

  /** The baseline tools reach the cluster the way the runbook's pg_dump does: libpq variables. */
  private Map<String, String> baselineEnvironment() {
    Map<String, String> env = cleanEnvironment();
    env.put("PGHOST", LocalCluster.HOST);
    env.put("PGPORT", Integer.toString(cluster.port()));
    env.put("PGUSER", LocalCluster.SUPERUSER);
    env.put("PGSSLMODE", "disable");
    env.put("PGCONNECT_TIMEOUT", "10");
    return env;
  }

  /** The S3 child's AWS settings: S3Mock's endpoint, dummy keys, nothing from ~/.aws. */
  private Map<String, String> s3Environment(S3Server s3) {
    Map<String, String> env = new HashMap<>();
    env.put("AWS_ENDPOINT_URL", s3.endpoint().toString());
    env.put("AWS_ACCESS_KEY_ID", "bench");
    env.put("AWS_SECRET_ACCESS_KEY", "bench-not-a-secret");
    env.put("AWS_REGION", "us-east-1");
    env.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
    env.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
    env.put("AWS_EC2_METADATA_DISABLED", "true");
    return env;
  }

  private void checkpoint() throws SQLException {
    cluster.execute("postgres", "CHECKPOINT");
  }

  private long databaseSize(String database) throws SQLException {
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_database_size('" + database + "')")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private String next(String name) {
    sequence++;
    return String.format(Locale.ROOT, "%02d-%s", sequence, name);
  }

  // ---- cleaning up

  private void cleanUp() {
    if (options.keep()) {
      if (cluster != null) {
        cluster.keepAfterExit();
        err.println(
            "Kept the cluster at "
                + cluster.host()
                + ":"
                + cluster.port()
                + " (stop it: runuser -u postgres -- "
                + binaries.bin("pg_ctl")
                + " -D "
                + cluster.dataDir()
                + " stop)");
      }
      err.println("Kept " + work + ": configurations, repository, dumps and logs");
      return;
    }
    if (cluster != null) {
      cluster.close();
    }
    if (failed) {
      err.println("Kept " + work + " for its logs; delete it when done.");
      return;
    }
    try {
      deleteTree(work);
    } catch (UncheckedIOException e) {
      err.println("bench/backup: " + e.getMessage() + ": " + e.getCause());
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + root, e);
    }
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + file, e);
    }
  }

  private static long fileSize(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the size of " + file, e);
    }
  }
}
