package dev.runbooks.activities.pitr;

import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.pgtools.PgBinaries;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the PostgreSQL server programs on the worker's host for a restored cluster. PostgreSQL
 * refuses to run as root, so a worker running as root hands the cluster's directories to the OS
 * user {@code postgres} and runs the programs through {@code runuser -u postgres --}.
 */
final class ServerHost {
  static final String SERVER_USER = "postgres";

  private final PgBinaries binaries;
  private final boolean root = "root".equals(System.getProperty("user.name"));

  ServerHost(PgBinaries binaries) {
    this.binaries = binaries;
  }

  String bin(String program) {
    return binaries.bin(program).toString();
  }

  /** {@code argv} as the server's user. */
  List<String> asServerUser(List<String> argv) {
    if (!root) {
      return argv;
    }
    List<String> wrapped = new ArrayList<>(List.of("runuser", "-u", SERVER_USER, "--"));
    wrapped.addAll(argv);
    return wrapped;
  }

  /** Creates {@code dir} (mode 0700) for the server's user. */
  void serverDirectory(Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    if (root) {
      UserPrincipal postgres =
          dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER);
      Files.setOwner(dir, postgres);
    }
  }

  /** Hands a file the worker wrote to the server's user. */
  void ownFile(Path file) throws IOException {
    if (root) {
      Files.setOwner(
          file,
          file.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVER_USER));
    }
  }

  /** The result of a program: its exit code and output. */
  record Result(int exit, String output) {}

  /**
   * Runs {@code argv} to its end, heartbeating; its output (stdout and stderr) is returned.
   *
   * @param env added to the environment, from which every libpq variable is removed
   */
  Result run(List<String> argv, Map<String, String> env, Heartbeat heartbeat) throws IOException {
    Path output = Files.createTempFile("runbooks-pitr", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
      builder.environment().putAll(env);
      Process process = builder.start();
      process.getOutputStream().close();
      heartbeat.onStop(process::destroyForcibly);
      try {
        while (!process.waitFor(500, TimeUnit.MILLISECONDS)) {
          heartbeat.check();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        process.destroyForcibly();
        throw new IOException("interrupted while " + argv.get(0) + " ran", e);
      }
      heartbeat.check();
      return new Result(process.exitValue(), Files.readString(output).strip());
    } finally {
      Files.deleteIfExists(output);
    }
  }
}
