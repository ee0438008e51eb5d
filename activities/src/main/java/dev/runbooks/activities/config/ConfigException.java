package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A configuration mistake, reported as {@code FILE: KEY: PROBLEM. Fix: FIX} so the operator sees
 * where it is, what is wrong and what to do. The CLI maps it to exit code 2.
 */
public final class ConfigException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final transient Path file;
  private final String key;
  private final String problem;
  private final String fix;

  /**
   * @param file the configuration file
   * @param key the dotted key, as in {@code targets.orders.primary.port}, or null when the problem
   *     is the file as a whole
   * @param problem what was expected and what was found, without a final period
   * @param fix what the operator can do, as a sentence
   */
  public ConfigException(Path file, String key, String problem, String fix) {
    this(file, key, problem, fix, null);
  }

  public ConfigException(Path file, String key, String problem, String fix, Throwable cause) {
    super(format(file, key, problem, fix), cause);
    this.file = Objects.requireNonNull(file, "file");
    this.key = key;
    this.problem = Objects.requireNonNull(problem, "problem");
    this.fix = Objects.requireNonNull(fix, "fix");
  }

  private static String format(Path file, String key, String problem, String fix) {
    String where = key == null || key.isEmpty() ? file + ": " : file + ": " + key + ": ";
    return where + problem + ". Fix: " + fix;
  }

  /** The configuration file. */
  public Path file() {
    return file;
  }

  /** The dotted key, or null when the problem is the file as a whole. */
  public String key() {
    return key;
  }

  /** What is wrong. */
  public String problem() {
    return problem;
  }

  /** What the operator can do. */
  public String fix() {
    return fix;
  }
}
