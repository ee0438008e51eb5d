package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What every section of the file needs to check a value: where the file is (for messages and
 * relative paths), the environment it may fall back on, and the checks of values that recur in
 * several sections (flags, durations, byte counts, paths).
 */
final class Values {
  private final Path file;
  private final Path directory;
  private final Map<String, String> env;

  Values(Path file, Map<String, String> env) {
    this.file = file;
    Path parent = file.toAbsolutePath().normalize().getParent();
    this.directory = parent == null ? Path.of("/") : parent;
    this.env = env;
  }

  /** The configuration file's directory, which relative paths in it are resolved against. */
  Path directory() {
    return directory;
  }

  /** The environment variable {@code name}, or null. */
  String env(String name) {
    return env.get(name);
  }

  ConfigException error(String key, String problem, String fix) {
    return new ConfigException(file, key, problem, fix);
  }

  boolean bool(String key, String written, boolean fallback) {
    if (written == null) {
      return fallback;
    }
    switch (written) {
      case "true":
        return true;
      case "false":
        return false;
      default:
        throw error(
            key, "\"" + written + "\" is not true or false", "write true or false, unquoted.");
    }
  }

  Duration duration(String key, String written, Duration fallback) {
    if (written == null) {
      return fallback;
    }
    Duration d;
    try {
      d = Duration.parse(written.strip());
    } catch (DateTimeParseException e) {
      throw error(
          key,
          "\"" + written + "\" is not an ISO-8601 duration",
          "write a duration such as PT4H (4 hours), PT30M (30 minutes) or P1D (1 day).");
    }
    if (d.isNegative() || d.isZero()) {
      throw error(
          key,
          written + " is not longer than zero",
          "write a positive duration such as PT4H (4 hours) or PT30M (30 minutes).");
    }
    return d;
  }

  long bytes(String key, String written, long fallback) {
    if (written == null) {
      return fallback;
    }
    long value;
    try {
      value = Long.parseLong(written.strip());
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 1) {
      throw error(
          key,
          written + " is not a byte count",
          "write a positive whole number of bytes, such as 16777216 (16 MiB).");
    }
    return value;
  }

  /** A path as written, resolved against {@code base}. */
  Path path(String key, String written, Path base) {
    return spec(key, () -> SpecText.path(written, base));
  }

  /** What {@code parse} makes of a value, its {@link InvalidSpecException} naming {@code key}. */
  <T> T spec(String key, Supplier<T> parse) {
    try {
      return parse.get();
    } catch (InvalidSpecException e) {
      throw error(key, e.problem(), e.fix());
    }
  }
}
