package dev.runbooks.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * A benchmark's working directory, a new temporary one per run: its configurations, repositories
 * and dumps, and under {@code logs/} every child's output, named in the order the children ran
 * ({@code 01-pg_dump.out}, {@code 02-backup-file.err}, ...).
 */
final class WorkDir {
  private final Path path;
  private final Path logs;
  private int sequence;

  private WorkDir(Path path) {
    this.path = path;
    this.logs = path.resolve("logs");
  }

  /** Makes {@code ${java.io.tmpdir}/<prefix>NNN} (0700) and its {@code logs/}. */
  static WorkDir create(String prefix) throws IOException {
    Path path = Files.createTempDirectory(prefix);
    Files.createDirectories(path.resolve("logs"));
    return new WorkDir(path);
  }

  /** Opens it to other users (0755), for a cluster under it whose server runs as another one. */
  void readableByAll() {
    try {
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException("could not open " + path + " to other users", e);
    }
  }

  Path path() {
    return path;
  }

  Path logs() {
    return logs;
  }

  Path resolve(String name) {
    return path.resolve(name);
  }

  /** The name of the next child's log files: {@code NN-<name>}. */
  synchronized String next(String name) {
    sequence++;
    return String.format(Locale.ROOT, "%02d-%s", sequence, name);
  }

  /** Deletes the directory and all in it. */
  void delete() {
    deleteTree(path);
  }

  /** Deletes {@code dir} and all in it; nothing when it is not there. */
  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + dir, e);
    }
  }

  @Override
  public String toString() {
    return path.toString();
  }
}
