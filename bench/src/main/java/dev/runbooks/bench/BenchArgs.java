package dev.runbooks.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A benchmark's command line as given: options with a value ({@code --runs N}) and flags ({@code
 * --keep}), checked against the names the benchmark knows; a later option wins over an earlier one.
 */
final class BenchArgs {
  /** The CLI the benchmarks run unless told otherwise ({@code --runbook-jar FILE}). */
  static final Path DEFAULT_JAR = Path.of("cli", "target", "runbook.jar");

  /** Wrong options: exit 2 with the message and the usage. */
  static final class UsageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    UsageException(String message) {
      super(message);
    }
  }

  /** What every benchmark's options say besides its own: keep its leftovers, the CLI it runs. */
  interface Common {
    boolean keep();

    Path runbookJar();
  }

  private final Map<String, String> values = new HashMap<>();
  private final Set<String> flags = new HashSet<>();

  private BenchArgs() {}

  static boolean wantsHelp(String[] args) {
    return List.of(args).contains("--help") || List.of(args).contains("-h");
  }

  /**
   * Reads {@code args}: each of {@code valued} takes the next argument as its value; {@code
   * --runbook-jar FILE} and the flag {@code --keep} are known to all.
   */
  static BenchArgs parse(String[] args, String... valued) {
    BenchArgs given = new BenchArgs();
    for (int i = 0; i < args.length; i++) {
      String arg = args[i];
      if (List.of(valued).contains(arg) || arg.equals("--runbook-jar")) {
        if (++i >= args.length) {
          throw new UsageException(arg + " needs a value");
        }
        given.values.put(arg, args[i]);
      } else if (arg.equals("--keep")) {
        given.flags.add(arg);
      } else {
        throw new UsageException("unknown option " + arg);
      }
    }
    return given;
  }

  /** The whole number above 0 given for {@code option}, or {@code otherwise}. */
  int positive(String option, int otherwise) {
    String text = values.get(option);
    if (text == null) {
      return otherwise;
    }
    try {
      int n = Integer.parseInt(text);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // worded below
    }
    throw new UsageException(option + " expects a whole number above 0, found \"" + text + "\"");
  }

  boolean keep() {
    return flags.contains("--keep");
  }

  /** The file given for {@code option} as an absolute path, or null when none was given. */
  Path file(String option) {
    String text = values.get(option);
    if (text == null) {
      return null;
    }
    Path file = Path.of(text).toAbsolutePath().normalize();
    if (!Files.isRegularFile(file)) {
      throw new UsageException(option + " " + text + ": no such file");
    }
    return file;
  }

  /** {@code --runbook-jar FILE}, or {@link #DEFAULT_JAR}, as an absolute path. */
  Path runbookJar() {
    return Path.of(values.getOrDefault("--runbook-jar", DEFAULT_JAR.toString()))
        .toAbsolutePath()
        .normalize();
  }
}
