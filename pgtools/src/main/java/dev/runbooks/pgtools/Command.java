package dev.runbooks.pgtools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one program with an explicit argument list and waits for it. Output goes to a temporary file
 * rather than a pipe: {@code pg_ctl start} leaves a server behind that could otherwise hold the
 * pipe open and make reading it hang.
 */
public final class Command {
  private static final Logger log = LoggerFactory.getLogger(Command.class);

  private final List<String> argv;
  private final Path workDir;
  private final Map<String, String> env;

  private Command(List<String> argv, Path workDir, Map<String, String> env) {
    this.argv = List.copyOf(argv);
    this.workDir = workDir;
    this.env = Map.copyOf(env);
  }

  /**
   * A command whose environment is ours minus every libpq {@code PG*} variable, plus {@code env}.
   */
  public static Command of(List<String> argv, Path workDir, Map<String, String> env) {
    return new Command(argv, workDir, env);
  }

  public static Command of(List<String> argv) {
    return new Command(argv, null, Map.of());
  }

  /** The program and its arguments, for messages. Never carries a secret: those go in env. */
  public String describe() {
    return String.join(" ", argv);
  }

  public Result run(Duration timeout) {
    long started = System.nanoTime();
    Path out = null;
    try {
      out = Files.createTempFile("runbooks-pg-cmd", ".out");
      ProcessBuilder builder = builder();
      builder.redirectErrorStream(true);
      builder.redirectOutput(out.toFile());
      Process process = builder.start();
      boolean finished;
      try {
        finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new PgToolsException("interrupted while running " + describe(), e);
      }
      if (!finished) {
        process.destroyForcibly();
        throw new PgToolsException(
            "expected "
                + describe()
                + " to finish within "
                + timeout.toSeconds()
                + " s, but it was still running; its output so far:\n"
                + tail(Files.readString(out, StandardCharsets.UTF_8), 20));
      }
      log.debug(
          "`{}` exited with {} after {} ms",
          describe(),
          process.exitValue(),
          (System.nanoTime() - started) / 1_000_000);
      return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new PgToolsException("could not run " + describe() + ": " + e.getMessage(), e);
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // A leftover temporary file is harmless; the command's outcome matters more.
        }
      }
    }
  }

  /** Runs the command and fails, with its output, unless it exits 0. */
  public String runChecked(Duration timeout, String whatFor) {
    Result result = run(timeout);
    if (result.exitCode() != 0) {
      throw new PgToolsException(
          "expected "
              + whatFor
              + " to succeed, but `"
              + describe()
              + "` exited with "
              + result.exitCode()
              + ":\n"
              + tail(result.output(), 20));
    }
    return result.output();
  }

  private ProcessBuilder builder() {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(argv));
    if (workDir != null) {
      builder.directory(workDir.toFile());
    }
    // A user's PGHOST, PGSSLMODE or PGPASSWORD must not steer our throwaway clusters' tools.
    builder.environment().keySet().removeIf(name -> name.startsWith("PG"));
    builder.environment().putAll(env);
    return builder;
  }

  public record Result(int exitCode, String output) {}

  /** The last {@code lines} lines of {@code text}, trimmed. */
  public static String tail(String text, int lines) {
    String[] all = text.strip().split("\\R");
    int from = Math.max(0, all.length - lines);
    return String.join("\n", List.of(all).subList(from, all.length));
  }
}
