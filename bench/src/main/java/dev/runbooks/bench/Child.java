package dev.runbooks.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A timed child process (a baseline tool or a {@code runbook} JVM) with its output in files and,
 * when asked, its peak resident set size: {@code VmHWM} from {@code /proc/<pid>/status}, read every
 * {@value #RSS_POLL_MILLIS} ms until it exits. VmHWM is the kernel's own high-water mark, so the
 * polling interval only bounds how much of the last moments before exit could be missed.
 */
final class Child {
  static final long RSS_POLL_MILLIS = 25;

  /** How one run ended; {@code peakRssKb} is 0 when it was not measured. */
  record Outcome(
      String label, int exitCode, Duration wall, long peakRssKb, Path stdout, Path stderr) {
    String out() {
      return read(stdout);
    }

    String err() {
      return read(stderr);
    }

    double peakRssMb() {
      return peakRssKb / 1024.0;
    }

    /** This outcome, or a failure naming the command and the end of what it wrote to stderr. */
    Outcome requireSuccess() {
      if (exitCode != 0) {
        throw new BenchException(
            label
                + " exited with "
                + exitCode
                + " (expected 0); its output is in "
                + stdout
                + " and "
                + stderr
                + ". The end of its stderr:\n"
                + tail(err(), 30));
      }
      return this;
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "(could not read " + file + ": " + e.getMessage() + ")";
      }
    }
  }

  private Child() {}

  /**
   * Runs {@code argv} in {@code dir} with exactly {@code env}, stdout and stderr into {@code
   * <logs>/<name>.out|.err}, and waits at most {@code timeout}.
   */
  static Outcome run(
      String label,
      List<String> argv,
      Map<String, String> env,
      Path dir,
      Path logs,
      String name,
      Duration timeout,
      boolean measureRss) {
    Path stdout = logs.resolve(name + ".out");
    Path stderr = logs.resolve(name + ".err");
    long started = System.nanoTime();
    Process process = start(label, argv, env, dir, stdout, stderr);
    Path status = Path.of("/proc", Long.toString(process.pid()), "status");
    long peak = 0;
    long deadline = started + timeout.toNanos();
    try {
      while (true) {
        if (measureRss) {
          peak = Math.max(peak, vmHwmKb(status));
        }
        if (process.waitFor(RSS_POLL_MILLIS, TimeUnit.MILLISECONDS)) {
          break;
        }
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new BenchException(
              label + " did not finish within " + timeout + "; killed it. See " + stderr);
        }
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new BenchException("interrupted waiting for " + label, e);
    }
    Duration wall = Duration.ofNanos(System.nanoTime() - started);
    return new Outcome(label, process.exitValue(), wall, peak, stdout, stderr);
  }

  /**
   * Starts {@code argv} in {@code dir} with exactly {@code env}, no stdin, and stdout and stderr
   * into the given files.
   */
  static Process start(
      String label,
      List<String> argv,
      Map<String, String> env,
      Path dir,
      Path stdout,
      Path stderr) {
    ProcessBuilder builder =
        new ProcessBuilder(argv)
            .directory(dir.toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder.environment().clear();
    builder.environment().putAll(env);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      return process;
    } catch (IOException e) {
      throw new BenchException("could not start " + label + " (" + argv.get(0) + "): " + e, e);
    }
  }

  /** The VmHWM line of a status file in kB; 0 once the process is gone. */
  static long vmHwmKb(Path status) {
    List<String> lines;
    try {
      lines = Files.readAllLines(status, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return 0;
    }
    for (String line : lines) {
      if (line.startsWith("VmHWM:")) {
        String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
        return Long.parseLong(parts[0]);
      }
    }
    return 0;
  }

  static String tail(String text, int lines) {
    String[] all = text.strip().split("\\R");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", java.util.Arrays.asList(all).subList(from, all.length));
  }
}
