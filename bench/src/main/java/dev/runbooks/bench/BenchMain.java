package dev.runbooks.bench;

import dev.runbooks.pgtools.MissingPostgresException;
import dev.runbooks.pgtools.PgToolsException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.SQLException;
import java.util.function.Function;

/**
 * The frame of every benchmark's {@code main}: help, wrong usage and missing prerequisites (exit
 * 2), the working directory, a failure told with where its logs are (exit 1), and the clean-up.
 */
final class BenchMain {
  private BenchMain() {}

  /** A prerequisite that is not there (no /proc, no CLI): exit 2 with the message alone. */
  static final class Unmet extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unmet(String message) {
      super(message);
    }
  }

  /** One benchmark's measurement, its results on the output. */
  interface Measurement {
    void measure() throws Exception;
  }

  /** Makes a benchmark's measurement from its options, in the environment the frame made. */
  interface Bench<O> {
    Measurement make(O options, BenchEnvironment env, PrintStream out, PrintStream err);
  }

  /**
   * A benchmark program: its name in messages, its usage, the prefix of its working directory, how
   * its options are read ({@code parse} also checks the prerequisites) and its measurement.
   */
  record Program<O extends BenchArgs.Common>(
      String name, String usage, String workPrefix, Function<String[], O> parse, Bench<O> bench) {
    /** The whole program; its exit code. */
    int run(String[] args, PrintStream out, PrintStream err) {
      return BenchMain.run(this, args, out, err);
    }
  }

  /**
   * Reads the options, makes {@code ${java.io.tmpdir}/<workPrefix>NNN} and runs the measurement;
   * the exit code.
   */
  private static <O extends BenchArgs.Common> int run(
      Program<O> program, String[] args, PrintStream out, PrintStream err) {
    if (BenchArgs.wantsHelp(args)) {
      out.println(program.usage());
      return 0;
    }
    O options;
    try {
      options = program.parse().apply(args);
      if (!Files.isRegularFile(options.runbookJar())) {
        throw new Unmet(
            "expected the runbook CLI at "
                + options.runbookJar()
                + ", but it is not there. Build it with ./mvnw -B -q -pl bench -am package"
                + " -DskipTests ("
                + program.name()
                + " does), or name it with --runbook-jar FILE.");
      }
    } catch (BenchArgs.UsageException e) {
      err.println(program.name() + ": " + e.getMessage());
      err.println(program.usage());
      return 2;
    } catch (MissingPostgresException | Unmet e) {
      err.println(program.name() + ": " + e.getMessage());
      return 2;
    }
    WorkDir work;
    try {
      work = WorkDir.create(program.workPrefix());
    } catch (IOException e) {
      err.println(program.name() + ": could not make a working directory: " + e);
      return 1;
    }
    BenchEnvironment env = new BenchEnvironment(program.name(), work);
    boolean failed = true;
    try {
      program.bench().make(options, env, out, err).measure();
      failed = false;
      return 0;
    } catch (BenchException
        | PgToolsException
        | SQLException
        | IOException
        | UncheckedIOException e) {
      err.println(program.name() + ": FAILED: " + e.getMessage());
      err.println("The runs' output is in " + work.logs() + " (kept).");
      return 1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      err.println(program.name() + ": interrupted");
      return 1;
    } catch (Exception e) {
      err.println(program.name() + ": FAILED unexpectedly (a bug in the benchmark): " + e);
      e.printStackTrace(err);
      err.println("The runs' output is in " + work.logs() + " (kept).");
      return 1;
    } finally {
      env.cleanUp(options.keep(), failed, err);
    }
  }
}
