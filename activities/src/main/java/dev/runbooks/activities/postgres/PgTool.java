package dev.runbooks.activities.postgres;

import dev.runbooks.pgtools.PgBinaries;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts {@code pg_dump} and {@code pg_restore} with an explicit argument list (never a shell), the
 * connection in libpq's environment variables (the password in {@code PGPASSWORD}, never in an
 * argument, where {@code ps} would show it), and stderr collected for the failure message with the
 * password scrubbed out.
 */
public final class PgTool {
  private static final Logger log = LoggerFactory.getLogger(PgTool.class);

  public static final String PG_DUMP = "pg_dump";
  public static final String PG_RESTORE = "pg_restore";

  /** Seconds libpq waits for the server to answer a connection. */
  static final int CONNECT_TIMEOUT_SECONDS = 10;

  /** The stderr lines kept for a failure message: the last ones say why. */
  private static final int STDERR_LINES = 40;

  private static final int STDERR_LINE_LENGTH = 500;

  /**
   * libpq variables a worker may set on purpose and a child may keep: where TLS certificates and
   * the password file are. Every other {@code PG*} variable could point the child elsewhere than
   * the target (PGSERVICE, PGHOSTADDR, PGOPTIONS) and is dropped.
   */
  private static final Set<String> INHERITED =
      Set.of(
          "PGSSLROOTCERT",
          "PGSSLCERT",
          "PGSSLKEY",
          "PGSSLCRL",
          "PGSSLCRLDIR",
          "PGSSLMINPROTOCOLVERSION",
          "PGSSLMAXPROTOCOLVERSION",
          "PGPASSFILE",
          "PGKRBSRVNAME",
          "PGGSSLIB",
          "PGGSSENCMODE");

  private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\)\\s+(\\d+)(\\.\\d+)?");
  private static final Pattern PASSWORD_SETTING =
      Pattern.compile("(?i)(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|\\S+)");

  private final PgBinaries binaries;
  private final Map<String, String> versions = new ConcurrentHashMap<>();

  public PgTool(PgBinaries binaries) {
    this.binaries = binaries;
  }

  /** {@code tool --version}'s answer, e.g. {@code pg_dump (PostgreSQL) 15.18}. */
  public String version(String tool) {
    return versions.computeIfAbsent(tool, this::askVersion);
  }

  /** The major version of a tool, from {@link #version}. */
  public int majorVersion(String tool) {
    Matcher m = VERSION.matcher(version(tool));
    if (!m.find()) {
      throw new IllegalStateException(
          "expected `" + tool + " --version` to name a PostgreSQL version, found " + version(tool));
    }
    return Integer.parseInt(m.group(1));
  }

  private String askVersion(String tool) {
    ProcessBuilder builder =
        new ProcessBuilder(List.of(binaries.bin(tool).toString(), "--version"))
            .redirectErrorStream(true);
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      String out;
      try (InputStream in = process.getInputStream()) {
        out = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
      }
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        process.destroyForcibly();
        throw new IllegalStateException(
            "expected `" + tool + " --version` to print its version, it printed: " + out);
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("could not run " + tool + " --version", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted asking " + tool + " for its version", e);
    }
  }

  /**
   * Starts {@code tool} with {@code args} against {@code spec}'s server as {@code spec}'s user. The
   * database is not set here: pass it in {@code args}, with {@link #dbnameArgument}.
   */
  public Running start(String tool, List<String> args, ConnectionSpec spec) throws IOException {
    List<String> argv = new ArrayList<>();
    argv.add(binaries.bin(tool).toString());
    argv.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(argv);
    Map<String, String> env = builder.environment();
    Map<String, String> wanted = environment(env, spec, tool);
    env.clear();
    env.putAll(wanted);
    if (PG_RESTORE.equals(tool)) {
      builder.redirectOutput(ProcessBuilder.Redirect.DISCARD);
    }
    log.debug("starting {} against {}", String.join(" ", argv), spec);
    Process process = builder.start();
    return new Running(tool, process, spec.password());
  }

  /**
   * The child's environment: the worker's, minus libpq variables that could point it elsewhere,
   * plus the connection to {@code spec}.
   */
  static Map<String, String> environment(
      Map<String, String> inherited, ConnectionSpec spec, String tool) {
    Map<String, String> env = new HashMap<>(inherited);
    env.keySet().removeIf(name -> name.startsWith("PG") && !INHERITED.contains(name));
    env.put("PGHOST", spec.host());
    env.put("PGPORT", Integer.toString(spec.port()));
    env.put("PGUSER", spec.user());
    env.put("PGSSLMODE", spec.sslmode());
    env.put("PGAPPNAME", "runbooks " + tool);
    env.put("PGCONNECT_TIMEOUT", Integer.toString(CONNECT_TIMEOUT_SECONDS));
    if (spec.password() != null) {
      env.put("PGPASSWORD", spec.password());
    }
    return env;
  }

  /**
   * {@code --dbname=dbname='NAME'}: a connection string rather than the bare name, which libpq
   * would read as a connection string itself if it held an '='.
   */
  public static String dbnameArgument(String database) {
    return "--dbname=dbname='" + database.replace("\\", "\\\\").replace("'", "\\'") + "'";
  }

  /** {@code text} without the password, and without any {@code password=...} setting. */
  static String scrub(String text, String password) {
    if (text == null) {
      return "";
    }
    String scrubbed = text;
    if (password != null && !password.isEmpty()) {
      scrubbed = scrubbed.replace(password, "********");
    }
    return PASSWORD_SETTING.matcher(scrubbed).replaceAll("$1********");
  }

  /** A started tool. Closing it kills the process if it still runs. */
  public static final class Running implements AutoCloseable {
    private final String tool;
    private final Process process;
    private final String password;
    private final Deque<String> stderr = new ArrayDeque<>();
    private final Thread stderrReader;

    private Running(String tool, Process process, String password) {
      this.tool = tool;
      this.process = process;
      this.password = password;
      this.stderrReader = new Thread(this::readStderr, "runbooks-" + tool + "-stderr");
      stderrReader.setDaemon(true);
      stderrReader.start();
    }

    public String tool() {
      return tool;
    }

    public InputStream stdout() {
      return process.getInputStream();
    }

    public OutputStream stdin() {
      return process.getOutputStream();
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    public long pid() {
      return process.pid();
    }

    /** Waits for the process to end, at most {@code millis}; its exit code, or null if running. */
    public Integer waitFor(long millis) throws InterruptedException {
      if (!process.waitFor(millis, TimeUnit.MILLISECONDS)) {
        return null;
      }
      return process.exitValue();
    }

    /** What it wrote to stderr (the last lines), the password scrubbed out. */
    public String errors() {
      if (!process.isAlive()) {
        try {
          // The reader ends at end of stream, which comes soon after the process does.
          stderrReader.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      synchronized (stderr) {
        return scrub(String.join("\n", stderr), password).strip();
      }
    }

    /** Stops it now: on a cancellation, a failure elsewhere in the pipeline, or at close. */
    public void kill() {
      if (process.isAlive()) {
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
          }
        } catch (InterruptedException e) {
          process.destroyForcibly();
          Thread.currentThread().interrupt();
        }
      }
    }

    @Override
    public void close() {
      kill();
    }

    private void readStderr() {
      try (BufferedReader reader =
          new BufferedReader(
              new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = reader.readLine()) != null) {
          String kept =
              line.length() > STDERR_LINE_LENGTH
                  ? line.substring(0, STDERR_LINE_LENGTH) + "..."
                  : line;
          log.debug("{}: {}", tool, scrub(kept, password));
          synchronized (stderr) {
            stderr.addLast(kept);
            if (stderr.size() > STDERR_LINES) {
              stderr.removeFirst();
            }
          }
        }
      } catch (IOException e) {
        // The process ended or was killed; what was read is what there is.
      }
    }
  }
}
