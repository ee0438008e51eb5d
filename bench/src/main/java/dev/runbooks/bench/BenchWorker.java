package dev.runbooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A long-running runbook JVM: the in-memory Temporal ({@code runbook dev}), or a worker ({@code
 * runbook worker}) that the measured runs are sent to, as production sends runs to a worker that is
 * already up: its JIT and its backup cipher are warm by the second run, and none of the measured
 * time is JVM start-up. Its peak resident set size is the kernel's VmHWM, polled until it stops.
 */
final class BenchWorker implements AutoCloseable {
  private static final Pattern TEMPORAL_ADDRESS =
      Pattern.compile("Temporal \\(in memory\\) on (\\S+),");
  private static final Pattern WORKER_READY = Pattern.compile("^Worker on ", Pattern.MULTILINE);
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final String label;
  private final Process process;
  private final Path stdout;
  private final Path stderr;
  private final String address;
  private final String queue;
  private final AtomicLong peakRssKb = new AtomicLong();
  private final Thread poller;

  private BenchWorker(
      String label, Process process, Path stdout, Path stderr, String address, String queue) {
    this.label = label;
    this.process = process;
    this.stdout = stdout;
    this.stderr = stderr;
    this.address = address;
    this.queue = queue;
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    this.poller =
        new Thread(
            () -> {
              while (process.isAlive()) {
                peakRssKb.accumulateAndGet(Child.vmHwmKb(status), Math::max);
                try {
                  Thread.sleep(Child.RSS_POLL_MILLIS);
                } catch (InterruptedException e) {
                  return;
                }
              }
            },
            "rss " + label);
    poller.setDaemon(true);
    poller.start();
  }

  /**
   * Starts {@code java JVM_OPTIONS -jar runbook.jar dev --port 0 --task-queue QUEUE --config
   * CONFIG} with exactly {@code env}: Temporal in memory, for the workers. Its own worker polls
   * {@code queue}, which no measured run uses.
   */
  static BenchWorker startTemporal(
      String label,
      List<String> jvm,
      Path runbookJar,
      Path config,
      String queue,
      Map<String, String> env,
      WorkDir work,
      String name) {
    List<String> argv =
        BenchEnvironment.runbookCommand(
            jvm,
            runbookJar,
            List.of("dev", "--port", "0", "--task-queue", queue, "--config", config.toString()));
    return launch(label, argv, env, work, name, TEMPORAL_ADDRESS, null, queue);
  }

  /**
   * Starts {@code java JVM_OPTIONS -jar runbook.jar worker --temporal ADDRESS --task-queue QUEUE
   * --config CONFIG MORE} with exactly {@code env}: a worker alone, as production runs one beside a
   * Temporal cluster, so that its resident size is the worker's own; {@code more} are further
   * worker options ({@code --metrics-port 0}).
   */
  static BenchWorker startWorker(
      String label,
      List<String> jvm,
      Path runbookJar,
      Path config,
      String temporal,
      String queue,
      Map<String, String> env,
      WorkDir work,
      String name,
      List<String> more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "worker",
                "--temporal",
                temporal,
                "--task-queue",
                queue,
                "--config",
                config.toString()));
    args.addAll(more);
    List<String> argv = BenchEnvironment.runbookCommand(jvm, runbookJar, args);
    return launch(label, argv, env, work, name, WORKER_READY, temporal, queue);
  }

  /**
   * Starts {@code argv} in {@code work}, its output in {@code logs/NN-<name>.out|.err}, and waits
   * until its output matches {@code ready}; the Temporal address is {@code temporal}, or what
   * {@code ready}'s first group captured.
   */
  private static BenchWorker launch(
      String label,
      List<String> argv,
      Map<String, String> env,
      WorkDir work,
      String name,
      Pattern ready,
      String temporal,
      String queue) {
    String logName = work.next(name);
    Path out = work.logs().resolve(logName + ".out");
    Path err = work.logs().resolve(logName + ".err");
    Process process = Child.start(label, argv, env, work.path(), out, err);
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    try {
      while (true) {
        Matcher m = ready.matcher(read(out));
        if (m.find()) {
          String address = temporal != null ? temporal : m.group(1);
          return new BenchWorker(label, process, out, err, address, queue);
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new BenchException(
              label
                  + " did not start within "
                  + READY_TIMEOUT
                  + " (exit "
                  + (process.isAlive() ? "none" : process.exitValue())
                  + "); its output is in "
                  + out
                  + " and "
                  + err
                  + ". The end of its stderr:\n"
                  + Child.tail(read(err), 30));
        }
        Thread.sleep(50);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted waiting for " + label, e);
    }
  }

  /** What a client adds to reach this worker: {@code --temporal ADDRESS --task-queue QUEUE}. */
  List<String> clientArguments() {
    return List.of("--temporal", address, "--task-queue", queue);
  }

  /** The end of the last line of its log that contains {@code text}, from there on. */
  Optional<String> logLine(String text) {
    String found = null;
    for (Path log : List.of(stdout, stderr)) {
      try {
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
          int at = line.indexOf(text);
          if (at >= 0) {
            found = line.substring(at + text.length());
          }
        }
      } catch (IOException e) {
        return Optional.empty();
      }
    }
    return Optional.ofNullable(found);
  }

  /** What it has printed on stdout so far (its start line names its metrics port). */
  String stdout() {
    return read(stdout);
  }

  /** Where its Temporal listens, for {@code --temporal}. */
  String address() {
    return address;
  }

  /** The worker JVM's process id. */
  long pid() {
    return process.pid();
  }

  /** The highest resident set size the JVM has reached so far, in kB. */
  long peakRssKb() {
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    return peakRssKb.accumulateAndGet(Child.vmHwmKb(status), Math::max);
  }

  /**
   * Sets the kernel's VmHWM back to the JVM's current RSS (5 written to {@code
   * /proc/PID/clear_refs}), so {@link #phasePeakRssKb()} is the peak of what follows; {@link
   * #peakRssKb()} stays the peak since the start.
   */
  void resetPhasePeak() {
    peakRssKb();
    Path clearRefs = Path.of("/proc", Long.toString(process.pid()), "clear_refs");
    try {
      Files.writeString(clearRefs, "5", StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new BenchException(
          "could not reset the peak RSS of " + label + " through " + clearRefs + ": " + e, e);
    }
  }

  /** The kernel's VmHWM in kB: the peak since the start or the last {@link #resetPhasePeak()}. */
  long phasePeakRssKb() {
    return Child.vmHwmKb(Path.of("/proc", Long.toString(process.pid()), "status"));
  }

  /** Fails, naming the logs, when the worker died while runs were sent to it. */
  void requireAlive() {
    if (!process.isAlive()) {
      throw new BenchException(
          label
              + " exited with "
              + process.exitValue()
              + " while runs were sent to it; its output is in "
              + stdout
              + " and "
              + stderr);
    }
  }

  /** Stops it as Ctrl-C would, then for good after 30 seconds. */
  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    poller.interrupt();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }
}
