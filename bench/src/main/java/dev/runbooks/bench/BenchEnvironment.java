package dev.runbooks.bench;

import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.LocalCluster;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * What a benchmark runs in: its working directory, its throwaway cluster, and the children it
 * starts (baseline tools and runbook JVMs) with environments that point only where it says. Cleaned
 * up by {@link BenchMain}: kept with {@code --keep}, the working directory kept for its logs after
 * a failure.
 */
final class BenchEnvironment {
  /** How the measured runbook JVMs run: a production-sized heap and the serial collector. */
  static final String JVM_HEAP = "-Xmx256m";

  static final String JVM_GC = "-XX:+UseSerialGC";

  private final String program;
  private final WorkDir work;
  private LocalCluster cluster;

  BenchEnvironment(String program, WorkDir work) {
    this.program = program;
    this.work = work;
  }

  WorkDir work() {
    return work;
  }

  /** A cluster for timings: no checkpoint or autovacuum of an earlier step in a later one's. */
  static LocalCluster.Builder steadyCluster(String name, PgBinaries binaries) {
    return LocalCluster.builder()
        .name(name)
        .binaries(binaries)
        .setting("max_wal_size", "8GB")
        .setting("checkpoint_timeout", "1h")
        .setting("autovacuum", "off");
  }

  /** Starts the benchmark's cluster, which the clean-up closes or keeps. */
  LocalCluster startCluster(LocalCluster.Builder builder) {
    cluster = builder.start();
    return cluster;
  }

  LocalCluster cluster() {
    return cluster;
  }

  /**
   * This process's environment without what could point a child elsewhere: libpq's PG* variables,
   * Runbooks' own, AWS and Temporal settings.
   */
  static Map<String, String> cleanEnvironment() {
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
  Map<String, String> libpqEnvironment() {
    Map<String, String> env = cleanEnvironment();
    env.put("PGHOST", LocalCluster.HOST);
    env.put("PGPORT", Integer.toString(cluster.port()));
    env.put("PGUSER", LocalCluster.SUPERUSER);
    env.put("PGSSLMODE", "disable");
    env.put("PGCONNECT_TIMEOUT", "10");
    return env;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** {@code java -Xmx256m -XX:+UseSerialGC}: a measured runbook JVM. */
  static List<String> measuredJvm() {
    return List.of(javaBin(), JVM_HEAP, JVM_GC);
  }

  /** {@code JVM -jar runbook.jar ARGS}. */
  static List<String> runbookCommand(List<String> jvm, Path runbookJar, List<String> args) {
    List<String> argv = new ArrayList<>(jvm);
    argv.add("-jar");
    argv.add(runbookJar.toString());
    argv.addAll(args);
    return argv;
  }

  /**
   * Runs a child in the working directory, its output in {@code logs/NN-<name>.out|.err}; the
   * caller checks how it ended.
   */
  Child.Outcome run(
      String label, List<String> argv, Map<String, String> env, String name, Duration timeout) {
    return Child.run(label, argv, env, work.path(), work.logs(), work.next(name), timeout, false);
  }

  /**
   * Runs {@code commands} joined by pipes, as a shell's {@code a | b} without a shell, each with
   * exactly {@code env}, every stage's stderr (and the last one's stdout) in {@code
   * logs/NN-<name>.<stage>.out|.err}; waits at most {@code timeout} for all and requires each to
   * exit 0. The time from the start of the first to the end of the last.
   */
  Duration pipeline(
      String label,
      List<List<String>> commands,
      Map<String, String> env,
      String name,
      Duration timeout) {
    String logName = work.next(name);
    List<ProcessBuilder> stages = new ArrayList<>();
    for (int i = 0; i < commands.size(); i++) {
      ProcessBuilder stage =
          new ProcessBuilder(commands.get(i))
              .directory(work.path().toFile())
              .redirectError(work.logs().resolve(logName + "." + i + ".err").toFile());
      if (i == commands.size() - 1) {
        stage.redirectOutput(work.logs().resolve(logName + "." + i + ".out").toFile());
      }
      stage.environment().clear();
      stage.environment().putAll(env);
      stages.add(stage);
    }
    long started = System.nanoTime();
    long deadline = started + timeout.toNanos();
    List<Process> processes;
    try {
      processes = ProcessBuilder.startPipeline(stages);
    } catch (java.io.IOException e) {
      throw new BenchException("could not start " + label + ": " + e, e);
    }
    try {
      for (int i = 0; i < processes.size(); i++) {
        Process p = processes.get(i);
        long left = deadline - System.nanoTime();
        if (!p.waitFor(Math.max(0, left), java.util.concurrent.TimeUnit.NANOSECONDS)) {
          processes.forEach(Process::destroyForcibly);
          throw new BenchException(label + " did not finish within " + timeout + "; killed it");
        }
        if (p.exitValue() != 0) {
          throw new BenchException(
              label
                  + ": "
                  + commands.get(i).get(0)
                  + " exited with "
                  + p.exitValue()
                  + " (expected 0); see "
                  + work.logs().resolve(logName + "." + i + ".err"));
        }
      }
    } catch (InterruptedException e) {
      processes.forEach(Process::destroyForcibly);
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted waiting for " + label, e);
    }
    return Duration.ofNanos(System.nanoTime() - started);
  }

  /**
   * With {@code keep}, leaves the cluster running and the working directory in place; otherwise
   * closes the cluster and deletes the directory, unless {@code failed}: its logs tell why.
   */
  void cleanUp(boolean keep, boolean failed, PrintStream err) {
    if (keep) {
      if (cluster != null) {
        cluster.keepAfterExit();
        err.println(
            "Kept the cluster at "
                + cluster.host()
                + ":"
                + cluster.port()
                + " (stop it: runuser -u postgres -- "
                + cluster.binaries().bin("pg_ctl")
                + " -D "
                + cluster.dataDir()
                + " stop)");
      }
      err.println("Kept " + work + ": configurations, dumps and logs");
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
      work.delete();
    } catch (UncheckedIOException e) {
      err.println(program + ": " + e.getMessage() + ": " + e.getCause());
    }
  }
}
