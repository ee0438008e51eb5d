package dev.runbooks.activities.failover;

import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.shared.ActivityProgress;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Turns a stopped-on-demand old primary on this host into a replica of the new one: {@code pg_ctl
 * stop}, {@code pg_rewind} from the new primary, its own configuration files put back (pg_rewind
 * copies the source's), the fence taken out of postgresql.auto.conf, primary_conninfo and
 * standby.signal written, {@code pg_ctl start}. The programs run as the data directory's owner
 * ({@code runuser} when the worker is root). Each failure is an {@link IllegalStateException}
 * naming the program and its output; the caller turns it into manual steps.
 */
final class Rewind {
  /** How far {@link #run} got: what state a failure left the server in. */
  enum Phase {
    /** Nothing done: the server runs as it did. */
    RUNNING,
    /** Stopped by pg_ctl; not rewound (pg_rewind did not finish). */
    STOPPED,
    /** Rewound by pg_rewind; maybe not yet configured as a replica; not started. */
    REWOUND,
    /** Started by pg_ctl as a replica. */
    STARTED
  }

  /** Files pg_rewind would overwrite with the new primary's, but which are the server's own. */
  static final List<String> OWN_FILES =
      List.of("postgresql.conf", "postgresql.auto.conf", "pg_hba.conf", "pg_ident.conf");

  private static final long TIMEOUT_SECONDS = 600;

  private final PgBinaries binaries;
  private final Path dataDir;
  private final String owner;
  private Phase phase = Phase.RUNNING;

  Rewind(PgBinaries binaries, Path dataDir) throws IOException {
    this.binaries = binaries;
    this.dataDir = dataDir;
    this.owner = Files.getOwner(dataDir).getName();
  }

  /** Why this worker cannot rewind the directory itself, or null when it can. */
  static String cannot(Path dataDir) {
    if (!Files.isRegularFile(dataDir.resolve("PG_VERSION"))) {
      return "the worker does not run on the old primary's host (no " + dataDir + " here)";
    }
    String me = System.getProperty("user.name");
    try {
      String owner = Files.getOwner(dataDir).getName();
      if (!owner.equals(me) && !me.equals("root")) {
        return "the worker runs as " + me + ", but " + dataDir + " belongs to " + owner;
      }
    } catch (IOException e) {
      return "cannot read the owner of " + dataDir + ": " + e.getMessage();
    }
    return null;
  }

  Phase phase() {
    return phase;
  }

  String owner() {
    return owner;
  }

  /**
   * @param source the new primary as libpq connection keywords (host, port, user, dbname)
   * @param password the source login's password, or null; passed in the environment only
   * @param primaryConninfo what the rejoined server streams from
   * @param restoreTargetWal the server has a restore_command: pg_rewind fetches WAL it lacks there
   */
  void run(String source, String password, String primaryConninfo, boolean restoreTargetWal)
      throws IOException {
    Map<String, byte[]> own = new LinkedHashMap<>();
    for (String name : OWN_FILES) {
      Path file = dataDir.resolve(name);
      if (Files.isRegularFile(file)) {
        own.put(name, Files.readAllBytes(file));
      }
    }
    Path log = dataDir.resolve("runbooks-rejoin.log");
    exec(List.of(bin("pg_ctl"), "-D", dataDir.toString(), "stop", "-m", "fast", "-w"), null);
    phase = Phase.STOPPED;
    List<String> rewind =
        new ArrayList<>(
            List.of(
                bin("pg_rewind"),
                "--target-pgdata=" + dataDir,
                "--source-server=" + source,
                "--no-sync"));
    if (restoreTargetWal) {
      rewind.add("--restore-target-wal");
    }
    exec(rewind, password);
    phase = Phase.REWOUND;
    for (Map.Entry<String, byte[]> file : own.entrySet()) {
      // Written in place, so the files keep their owner.
      Files.write(dataDir.resolve(file.getKey()), file.getValue());
    }
    Path auto = dataDir.resolve("postgresql.auto.conf");
    List<String> lines = new ArrayList<>();
    for (String line : Files.readAllLines(auto, StandardCharsets.UTF_8)) {
      String key = line.strip().split("[\\s=]", 2)[0];
      if (!key.equals("default_transaction_read_only")
          && !key.equals(FenceRecord.SETTING)
          && !key.equals("primary_conninfo")) {
        lines.add(line);
      }
    }
    lines.add("primary_conninfo = '" + primaryConninfo.replace("'", "''") + "'");
    Files.write(auto, lines, StandardCharsets.UTF_8);
    Path signal = dataDir.resolve("standby.signal");
    if (!Files.exists(signal)) {
      Files.write(signal, new byte[0]);
    }
    exec(
        List.of(
            bin("pg_ctl"),
            "-D",
            dataDir.toString(),
            "-l",
            log.toString(),
            "start",
            "-w",
            "-t",
            "120"),
        null);
    phase = Phase.STARTED;
  }

  private String bin(String tool) {
    return binaries.bin(tool).toString();
  }

  private void exec(List<String> argv, String password) throws IOException {
    List<String> command = new ArrayList<>();
    if (!owner.equals(System.getProperty("user.name"))) {
      command.addAll(List.of("runuser", "-u", owner, "--"));
    }
    command.addAll(argv);
    // The output goes to a file the worker owns, so it can heartbeat while the program runs.
    Path output = Files.createTempFile("runbooks-rejoin", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(dataDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(output.toFile());
      builder.environment().keySet().removeIf(k -> k.startsWith("PG"));
      if (password != null) {
        builder.environment().put("PGPASSWORD", password);
      }
      Process process = builder.start();
      process.getOutputStream().close();
      await(process, Path.of(argv.get(0)).getFileName().toString());
      check(process.exitValue(), argv, Files.readString(output), password);
    } finally {
      Files.deleteIfExists(output);
    }
  }

  private static void await(Process process, String program) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
    try {
      while (!process.waitFor(5, TimeUnit.SECONDS)) {
        if (System.nanoTime() > deadline) {
          process.destroyForcibly();
          throw new IllegalStateException(program + " did not finish in " + TIMEOUT_SECONDS + " s");
        }
        FailoverSql.heartbeat(new ActivityProgress("rejoin", 0, 0, program + " runs"));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      process.destroyForcibly();
      throw new IllegalStateException("interrupted while " + program + " ran", e);
    }
  }

  private static void check(int exit, List<String> argv, String out, String password) {
    if (exit != 0) {
      String text = out.strip();
      if (password != null && !password.isEmpty()) {
        text = text.replace(password, "********");
      }
      throw new IllegalStateException(
          Path.of(argv.get(0)).getFileName() + " exited with " + exit + ": " + text);
    }
  }
}
