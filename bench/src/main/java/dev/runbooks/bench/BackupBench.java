package dev.runbooks.bench;

import dev.runbooks.bench.BackupRuns.BackupRun;
import dev.runbooks.bench.BackupRuns.Baseline;
import dev.runbooks.bench.BackupRuns.DrillRun;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

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
public final class BackupBench implements BenchMain.Measurement {
  static final String TARGET = "bench";
  static final String SMALL_TARGET = "bench-small";
  static final String LARGE_DB = "bench_large";
  static final String SMALL_DB = "bench_small";
  static final String BUCKET = "bench";

  static final BenchMain.Program<BackupOptions> PROGRAM =
      new BenchMain.Program<>(
          "bench/backup",
          BackupOptions.USAGE,
          "runbooks-bench-",
          BackupBench::parse,
          BackupBench::new);

  public static void main(String[] args) {
    // S3Mock's Spring context keeps non-daemon threads: end the JVM with the exit code.
    System.exit(PROGRAM.run(args, System.out, System.err));
  }

  private final BackupOptions options;
  private final BenchEnvironment env;
  private final WorkDir work;
  private final PgBinaries binaries;
  private final BackupRuns runs;
  private final PrintStream out;
  private final PrintStream err;

  private BackupBench(
      BackupOptions options, BenchEnvironment env, PrintStream out, PrintStream err) {
    this.options = options;
    this.env = env;
    this.work = env.work();
    this.binaries = PgBinaries.require();
    this.runs = new BackupRuns(env, binaries, options.runbookJar(), err);
    this.out = out;
    this.err = err;
  }

  /** The options, once the tools and /proc it needs are known to be there. */
  private static BackupOptions parse(String[] args) {
    BackupOptions options = BackupOptions.parse(args);
    PgBinaries binaries = PgBinaries.require();
    for (String tool : List.of("pgbench", "pg_dump", "pg_restore", "createdb")) {
      binaries.bin(tool);
    }
    if (!onPath(BackupRuns.ZSTD)) {
      throw new BenchMain.Unmet(
          "expected the zstd program on PATH for the fair floor (pg_dump -Fc -Z0 | zstd -3),"
              + " but there is none. Install it: apt-get install zstd (Debian/Ubuntu), dnf install"
              + " zstd (Fedora/RHEL), brew install zstd (macOS).");
    }
    if (!Files.isReadable(Path.of("/proc/self/status"))) {
      throw new BenchMain.Unmet(
          "expected Linux's /proc/<pid>/status to read the worker's peak RSS from,"
              + " but there is none here. Run it on Linux.");
    }
    return options;
  }

  @Override
  public void measure() throws SQLException {
    String loadAtStart = Figures.loadAverage();
    String serverVersion = prepareCluster();
    long largeBytes = databaseSize(LARGE_DB);
    long smallBytes = databaseSize(SMALL_DB);
    Path fileConfig = writeConfig("runbooks-file.yaml", "file://" + work.resolve("repository"));
    Path s3Config = writeConfig("runbooks-s3.yaml", "s3://" + BUCKET + "/x");
    Path baselineDump = work.resolve("pg_dump.dump");

    List<BackupRun> small = new ArrayList<>();
    List<Baseline> pgDumps = new ArrayList<>();
    List<Baseline> pgDumpsZstd = new ArrayList<>();
    List<BackupRun> toFile = new ArrayList<>();
    List<BackupRun> toS3 = new ArrayList<>();
    List<BackupRun> toFileCompared = new ArrayList<>();
    List<Baseline> pgRestores = new ArrayList<>();
    List<DrillRun> drills = new ArrayList<>();

    err.println("== S3Mock (in this JVM)");
    long rssSmall;
    long rssLarge;
    try (S3Server s3 = S3Server.start(work.resolve("s3"), BUCKET)) {
      Map<String, String> s3Env = s3Environment(s3);
      err.println("   at " + s3.endpoint());
      err.println("== Temporal in memory (runbook dev), not measured");
      try (BenchWorker temporal = runs.temporal(fileConfig)) {
        err.println(
            "== workers: runbook worker, "
                + BenchEnvironment.JVM_HEAP
                + " "
                + BenchEnvironment.JVM_GC
                + ", one per repository, each on its own task queue");
        Path compareConfig =
            writeConfig("runbooks-compare.yaml", "file://" + work.resolve("repository-compare"));
        try (BenchWorker fileWorker = runs.worker("worker-file", fileConfig, Map.of(), temporal);
            BenchWorker s3Worker = runs.worker("worker-s3", s3Config, s3Env, temporal);
            BenchWorker compareWorker =
                options.compareJar() == null
                    ? null
                    : runs.worker(
                        "worker-compare",
                        options.compareJar(),
                        compareConfig,
                        Map.of(),
                        temporal)) {
          // Not counted: each worker's first run (the keyset is made on the first backup, S3Mock
          // sets itself up on its first request, and a worker's code is cold until it has run).
          err.println("== warm-up (not counted): a backup of -s " + options.scaleSmall() + " each");
          runs.backup("warm-up-file", SMALL_TARGET, fileWorker, fileConfig);
          runs.backup("warm-up-s3", SMALL_TARGET, s3Worker, s3Config);
          if (compareWorker != null) {
            runs.backup("warm-up-compare", SMALL_TARGET, compareWorker, compareConfig);
          }
          for (int r = 1; r <= options.runs(); r++) {
            err.println("== round " + r + "/" + options.runs() + ": -s " + options.scaleSmall());
            small.add(runs.backup("backup-small-file", SMALL_TARGET, fileWorker, fileConfig));
          }
          rssSmall = fileWorker.peakRssKb();
          for (int r = 1; r <= options.runs(); r++) {
            err.println(
                "== round " + r + "/" + options.runs() + ": dumps of -s " + options.scaleLarge());
            pgDumps.add(runs.pgDump(LARGE_DB, baselineDump));
            pgDumpsZstd.add(runs.pgDumpZstd(LARGE_DB, work.resolve("pg_dump.dump.zst")));
            toFile.add(runs.backup("backup-file", TARGET, fileWorker, fileConfig));
            if (compareWorker != null) {
              toFileCompared.add(
                  runs.backup("backup-file (--compare-jar)", TARGET, compareWorker, compareConfig));
            }
            toS3.add(runs.backup("backup-s3", TARGET, s3Worker, s3Config));
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
            pgRestores.add(runs.pgRestore(baselineDump, "restored_baseline"));
            drills.add(runs.drill(TARGET, fileWorker, fileConfig, toFile.get(r - 1).backupId()));
          }
        }
      }
    }

    long dumpBytes = fileSize(baselineDump);
    BackupReport.Results results =
        new BackupReport.Results(
            serverVersion,
            largeBytes,
            smallBytes,
            dumpBytes,
            small,
            pgDumps,
            pgDumpsZstd,
            toFile,
            toS3,
            toFileCompared,
            pgRestores,
            drills,
            rssSmall,
            rssLarge);
    new BackupReport(options, loadAtStart, out).print(results);
  }

  /** Starts the cluster and fills both databases with pgbench; the server's version. */
  private String prepareCluster() throws SQLException {
    err.println(
        "== throwaway PostgreSQL "
            + binaries.majorVersion()
            + " cluster from "
            + binaries.binDir());
    LocalCluster cluster = env.startCluster(BenchEnvironment.steadyCluster("bench", binaries));
    cluster.execute("postgres", "CREATE DATABASE " + SMALL_DB, "CREATE DATABASE " + LARGE_DB);
    for (Map.Entry<String, Integer> db :
        List.of(
            Map.entry(SMALL_DB, options.scaleSmall()), Map.entry(LARGE_DB, options.scaleLarge()))) {
      runs.pgbenchInit(db.getValue(), db.getKey());
    }
    try (Connection c = cluster.connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT current_setting('server_version')")) {
      rs.next();
      return rs.getString(1);
    }
  }

  private Path writeConfig(String name, String repository) {
    return new RunbookConfig("# Written by bench/backup for a throwaway cluster.\n")
        .target(TARGET, env.cluster(), LARGE_DB)
        .target(SMALL_TARGET, env.cluster(), SMALL_DB)
        .setting("repository: " + repository)
        .setting("encryption: local-keyset:" + work.resolve("backup-keyset.json"))
        .write(work.resolve(name));
  }

  /** The S3 child's AWS settings: S3Mock's endpoint, dummy keys, nothing from ~/.aws. */
  private Map<String, String> s3Environment(S3Server s3) {
    Map<String, String> aws = new HashMap<>();
    aws.put("AWS_ENDPOINT_URL", s3.endpoint().toString());
    aws.put("AWS_ACCESS_KEY_ID", "bench");
    aws.put("AWS_SECRET_ACCESS_KEY", "bench-not-a-secret");
    aws.put("AWS_REGION", "us-east-1");
    aws.put("AWS_CONFIG_FILE", work.resolve("no-aws-config").toString());
    aws.put("AWS_SHARED_CREDENTIALS_FILE", work.resolve("no-aws-credentials").toString());
    aws.put("AWS_EC2_METADATA_DISABLED", "true");
    return aws;
  }

  static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(java.io.File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }

  private long databaseSize(String database) throws SQLException {
    try (Connection c = env.cluster().connect("postgres");
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT pg_database_size('" + database + "')")) {
      rs.next();
      return rs.getLong(1);
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
