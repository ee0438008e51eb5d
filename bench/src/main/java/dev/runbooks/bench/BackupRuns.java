package dev.runbooks.bench;

import static dev.runbooks.bench.Figures.secs;

import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The timed runs of {@code bench/backup}, each after a checkpoint: the baselines ({@code pg_dump},
 * {@code createdb} + {@code pg_restore}) as a DBA runs them, and the runbook's backup and drill
 * sent to workers that are already up; and the long-running JVMs those runs go to.
 */
final class BackupRuns {
  /** The runbook's pg_dump flags (BackupActivitiesImpl), less the snapshot it exports itself. */
  static final List<String> PG_DUMP_FLAGS =
      List.of("--format=custom", "--lock-wait-timeout=60s", "--no-password");

  /** The drill's pg_restore flags (RestoreActivitiesImpl); it reads stdin, so one job. */
  static final List<String> PG_RESTORE_FLAGS = List.of("--exit-on-error", "--no-password");

  static final Duration TOOL_TIMEOUT = Duration.ofMinutes(60);

  /** The zstd command-line program, the fair floor's compressor. */
  static final String ZSTD = "zstd";

  /**
   * A baseline tool's run; {@code cpu} is its processes' and the server backends' CPU time (zero
   * where not measured).
   */
  record Baseline(Duration took, Duration cpu) {}

  /**
   * A backup: the dump activity's own clock, the workflow's dump step, the stored size, and the CPU
   * time of the worker (with its pg_dump) and of the server's backends during the run.
   */
  record BackupRun(String backupId, Duration dump, Duration dumpStep, long bytes, Duration cpu) {}

  /** A drill: its restore activity's own clock and the workflow's restore and compare steps. */
  record DrillRun(Duration restore, Duration restoreStep, Duration compareStep) {
    /** The drill as the figure counts it: its restore and compare steps. */
    Duration drill() {
      return restoreStep.plus(compareStep);
    }
  }

  private final BenchEnvironment env;
  private final PgBinaries binaries;
  private final Path runbookJar;
  private final PrintStream err;

  BackupRuns(BenchEnvironment env, PgBinaries binaries, Path runbookJar, PrintStream err) {
    this.env = env;
    this.binaries = binaries;
    this.runbookJar = runbookJar;
    this.err = err;
  }

  Baseline pgDump(String database, Path file) throws SQLException {
    deleteIfExists(file);
    checkpoint();
    List<String> argv = new ArrayList<>();
    argv.add(binaries.bin("pg_dump").toString());
    argv.addAll(PG_DUMP_FLAGS);
    argv.add("--file=" + file);
    argv.add("--dbname=" + database);
    Duration cpuBefore = toolsAndBackendsCpu();
    Child.Outcome o =
        env.run("pg_dump", argv, env.libpqEnvironment(), "pg_dump", TOOL_TIMEOUT).requireSuccess();
    Duration cpu = toolsAndBackendsCpu().minus(cpuBefore);
    err.println(
        String.format(
            Locale.ROOT, "   pg_dump -Fc -f FILE         %s (CPU %s)", secs(o.wall()), secs(cpu)));
    return new Baseline(o.wall(), cpu);
  }

  /**
   * The fair floor of the runbook's dump: {@code pg_dump -Fc -Z0 | zstd -3 > FILE}, the archive
   * uncompressed by pg_dump and compressed by zstd at the runbook's level in a process of its own,
   * as the runbook does in its worker. Two processes joined by a pipe, no shell.
   */
  Baseline pgDumpZstd(String database, Path file) throws SQLException {
    deleteIfExists(file);
    checkpoint();
    List<String> dump = new ArrayList<>();
    dump.add(binaries.bin("pg_dump").toString());
    dump.addAll(PG_DUMP_FLAGS);
    dump.add("--compress=0");
    dump.add("--dbname=" + database);
    Duration cpuBefore = toolsAndBackendsCpu();
    Duration took =
        env.pipeline(
            "pg_dump -Fc -Z0 | zstd -3",
            List.of(dump, List.of(ZSTD, "-3", "-q", "-f", "-o", file.toString())),
            env.libpqEnvironment(),
            "pg_dump-zstd",
            TOOL_TIMEOUT);
    Duration cpu = toolsAndBackendsCpu().minus(cpuBefore);
    err.println(
        String.format(
            Locale.ROOT, "   pg_dump -Fc -Z0 | zstd -3    %s (CPU %s)", secs(took), secs(cpu)));
    return new Baseline(took, cpu);
  }

  Baseline pgRestore(Path file, String database) throws SQLException {
    LocalCluster cluster = env.cluster();
    cluster.execute("postgres", "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
    checkpoint();
    Map<String, String> libpq = env.libpqEnvironment();
    Child.Outcome created =
        env.run(
                "createdb",
                List.of(binaries.bin("createdb").toString(), database),
                libpq,
                "createdb",
                TOOL_TIMEOUT)
            .requireSuccess();
    List<String> argv = new ArrayList<>();
    argv.add(binaries.bin("pg_restore").toString());
    argv.addAll(PG_RESTORE_FLAGS);
    argv.add("--dbname=" + database);
    argv.add(file.toString());
    Child.Outcome restored =
        env.run("pg_restore", argv, libpq, "pg_restore", TOOL_TIMEOUT).requireSuccess();
    Duration took = created.wall().plus(restored.wall());
    err.println(String.format(Locale.ROOT, "   createdb + pg_restore FILE  %s", secs(took)));
    cluster.execute("postgres", "DROP DATABASE " + database + " WITH (FORCE)");
    return new Baseline(took, Duration.ZERO);
  }

  BackupRun backup(String name, String target, BenchWorker worker, Path config)
      throws SQLException {
    checkpoint();
    Duration cpuBefore = workerAndBackendsCpu(worker);
    Child.Outcome o = backupWithoutDrill(name, target, worker, config);
    RunbookOutput.Backup b = RunbookOutput.backup(o);
    Duration step = RunbookOutput.step(o, "dump");
    Duration cpu = workerAndBackendsCpu(worker).minus(cpuBefore);
    err.println(
        String.format(
            Locale.ROOT,
            "   %-27s dump step %s (activity %s, CPU %s, worker's peak RSS so far %.0f MB)",
            name,
            secs(step),
            secs(b.dump()),
            secs(cpu),
            worker.peakRssKb() / 1024.0));
    return new BackupRun(b.backupId(), b.dump(), step, b.storedBytes(), cpu);
  }

  DrillRun drill(String target, BenchWorker worker, Path config, String backupId)
      throws SQLException {
    checkpoint();
    Child.Outcome o =
        client(
            "restore-drill",
            worker,
            "restore-drill",
            "--target",
            target,
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
  BenchWorker temporal(Path config) {
    BenchWorker temporal =
        BenchWorker.startTemporal(
            "runbook dev (temporal)",
            List.of(BenchEnvironment.javaBin(), "-Xmx512m"),
            runbookJar,
            config,
            "bench-unused",
            BenchEnvironment.cleanEnvironment(),
            env.work(),
            "temporal");
    err.println("   at " + temporal.address());
    return temporal;
  }

  /**
   * A worker JVM ({@code runbook worker}) under {@value BenchEnvironment#JVM_HEAP} for one
   * configuration, on a task queue of its own on {@code temporal}.
   */
  BenchWorker worker(String name, Path config, Map<String, String> extraEnv, BenchWorker temporal) {
    return worker(name, runbookJar, config, extraEnv, temporal);
  }

  /** A worker JVM as {@link #worker(String, Path, Map, BenchWorker)}, of another build. */
  BenchWorker worker(
      String name, Path jar, Path config, Map<String, String> extraEnv, BenchWorker temporal) {
    Map<String, String> workerEnv = BenchEnvironment.cleanEnvironment();
    workerEnv.putAll(extraEnv);
    BenchWorker worker =
        BenchWorker.startWorker(
            "runbook worker (" + name + ")",
            BenchEnvironment.measuredJvm(),
            jar,
            config,
            temporal.address(),
            "bench-" + name,
            workerEnv,
            env.work(),
            name,
            List.of());
    err.println("   " + name + " on task queue bench-" + name);
    return worker;
  }

  /** The CPU of this JVM's finished children (the baseline tools) and of the server's backends. */
  Duration toolsAndBackendsCpu() {
    CpuTime.awaitReaping();
    return CpuTime.self().plus(CpuTime.children(env.cluster().postmasterPid()));
  }

  /**
   * The CPU of a worker JVM (with its finished pg_dump) and of the server's backends; the client
   * JVM that started the run is not counted.
   */
  Duration workerAndBackendsCpu(BenchWorker worker) {
    CpuTime.awaitReaping();
    return CpuTime.total(worker.pid()).plus(CpuTime.children(env.cluster().postmasterPid()));
  }

  /**
   * {@code pgbench -i -I dtGvp -s SCALE DB}: its tables generated by the server, vacuumed, with
   * their primary keys; how long it took.
   */
  Duration pgbenchInit(int scale, String db) {
    err.println("== pgbench -i -s " + scale + " " + db + " (takes a while)");
    return env.run(
            "pgbench -i -s " + scale + " " + db,
            List.of(
                binaries.bin("pgbench").toString(),
                "-i",
                "-I",
                "dtGvp",
                "-s",
                Integer.toString(scale),
                db),
            env.libpqEnvironment(),
            "pgbench-init-" + db,
            TOOL_TIMEOUT)
        .requireSuccess()
        .wall();
  }

  void checkpoint() throws SQLException {
    env.cluster().execute("postgres", "CHECKPOINT");
  }

  /**
   * {@code runbook backup --no-verify --wait --output json} of {@code target} on {@code worker}.
   */
  Child.Outcome backupWithoutDrill(String name, String target, BenchWorker worker, Path config) {
    return client(
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
  }

  /**
   * {@code runbook ARGS --temporal ADDRESS}: a client that starts a run on {@code worker}'s
   * Temporal and waits for its result. Its own JVM is neither timed nor measured.
   */
  Child.Outcome client(String name, BenchWorker worker, String... args) {
    List<String> argv =
        BenchEnvironment.runbookCommand(
            List.of(BenchEnvironment.javaBin()), runbookJar, List.of(args));
    argv.addAll(worker.clientArguments());
    Child.Outcome outcome =
        env.run(
            "runbook " + String.join(" ", args),
            argv,
            BenchEnvironment.cleanEnvironment(),
            name,
            TOOL_TIMEOUT);
    worker.requireAlive();
    return outcome.requireSuccess();
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + file, e);
    }
  }
}
