package dev.runbooks.bench;

import static dev.runbooks.bench.Figures.secs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.testing.ServerUser;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The timed runs of {@code bench/pitr}, each after a checkpoint: a base backup and a point-in-time
 * restore by the runbook (sent to a worker that is already up, timed by its own steps) and by plain
 * PostgreSQL tools, its floor.
 */
final class PitrRuns {
  static final String TARGET = "bench";
  static final String RESTORE_POINT = "bench_pitr";

  /** The product's pg_basebackup arguments (BaseBackupStage), output to stdout. */
  static final List<String> PG_BASEBACKUP_FLAGS =
      List.of("-Ft", "-X", "none", "-D", "-", "-c", "fast", "--no-password");

  /** The line a promoted server logs; a standby's says "read-only connections". */
  private static final String PROMOTED = "database system is ready to accept connections";

  private static final Pattern REDO_DONE = Pattern.compile("redo done at ([0-9A-F]+/[0-9A-F]+)");
  private static final Duration RECOVERY_TIMEOUT = Duration.ofMinutes(60);

  /**
   * A base backup: its id (the runbook's), how long it took, and the CPU time of the processes that
   * did it (pg_basebackup and zstd, or the worker with its pg_basebackup) and of the server's
   * backends meanwhile.
   */
  record BaseRun(String backupId, Duration took, long storedBytes, Duration cpu) {}

  /** A restore: how long it took and the LSN its redo ended at. */
  record RestoreRun(String backupId, Duration took, String redoDone) {}

  private final BenchEnvironment env;
  private final PgBinaries binaries;
  private final BackupRuns runs;
  private final PrintStream err;

  PitrRuns(BenchEnvironment env, PgBinaries binaries, BackupRuns runs, PrintStream err) {
    this.env = env;
    this.binaries = binaries;
    this.runs = runs;
    this.err = err;
  }

  /** The floor: {@code pg_basebackup -Ft -X none -D - -c fast | zstd -3 > FILE}. */
  BaseRun floorBaseBackup(Path file) throws SQLException {
    deleteIfExists(file);
    runs.checkpoint();
    List<String> basebackup = new ArrayList<>();
    basebackup.add(binaries.bin("pg_basebackup").toString());
    basebackup.addAll(PG_BASEBACKUP_FLAGS);
    Duration cpuBefore = runs.toolsAndBackendsCpu();
    Duration took =
        env.pipeline(
            "pg_basebackup -Ft -X none -D - | zstd -3",
            List.of(basebackup, List.of(BackupRuns.ZSTD, "-3", "-q", "-f", "-o", file.toString())),
            env.libpqEnvironment(),
            "pg_basebackup-zstd",
            BackupRuns.TOOL_TIMEOUT);
    Duration cpu = runs.toolsAndBackendsCpu().minus(cpuBefore);
    long bytes = size(file);
    err.println(
        String.format(
            Locale.ROOT,
            "   pg_basebackup | zstd -3        %s (CPU %s; %s)",
            secs(took),
            secs(cpu),
            Figures.size(bytes)));
    return new BaseRun("", took, bytes, cpu);
  }

  /** {@code runbook backup --type physical}: its {@code base backup} step. */
  BaseRun baseBackup(BenchWorker worker, Path config) throws SQLException {
    runs.checkpoint();
    Duration cpuBefore = runs.workerAndBackendsCpu(worker);
    Child.Outcome o =
        runs.client(
            "backup-physical",
            worker,
            "backup",
            "--target",
            TARGET,
            "--type",
            "physical",
            "--wait",
            "--output",
            "json",
            "--config",
            config.toString());
    Duration cpu = runs.workerAndBackendsCpu(worker).minus(cpuBefore);
    JsonNode result = RunbookOutput.succeeded(o);
    JsonNode backup = result.path("backup");
    Duration step = RunbookOutput.step(result, "base backup", o.label());
    BaseRun run =
        new BaseRun(
            backup.path("backupId").asText(), step, backup.path("ciphertextBytes").asLong(), cpu);
    Duration activity =
        Duration.between(
            Instant.parse(backup.path("startedAt").asText()),
            Instant.parse(backup.path("finishedAt").asText()));
    err.println(
        String.format(
            Locale.ROOT,
            "   runbook backup --type physical %s (activity %s; CPU %s, the whole run's; %s; %s;"
                + " worker's peak RSS so far %.0f MB)",
            secs(step),
            secs(activity),
            secs(cpu),
            Figures.size(run.storedBytes()),
            run.backupId(),
            worker.peakRssKb() / 1024.0));
    worker
        .logLine(run.backupId() + " of target " + TARGET + ": ")
        .ifPresent(line -> err.println("     the worker's split: " + line));
    return run;
  }

  /**
   * {@code runbook restore --type physical --to-restore-point} into {@code dataDir}: its plan and
   * recover steps. The restored cluster is stopped and removed afterwards.
   */
  RestoreRun restore(BenchWorker worker, Path config, Path dataDir, int port) throws SQLException {
    runs.checkpoint();
    Child.Outcome o =
        runs.client(
            "restore-physical",
            worker,
            "restore",
            "--target",
            TARGET,
            "--type",
            "physical",
            "--to-restore-point",
            RESTORE_POINT,
            "--into-cluster",
            dataDir.toString(),
            "--port",
            Integer.toString(port),
            "--wait",
            "--output",
            "json",
            "--config",
            config.toString());
    JsonNode result = RunbookOutput.succeeded(o);
    Duration plan = RunbookOutput.step(result, "plan", o.label());
    Duration recover = RunbookOutput.step(result, "recover", o.label());
    JsonNode restore = result.path("restore");
    RestoreRun run =
        new RestoreRun(
            restore.path("backupId").asText(),
            plan.plus(recover),
            restore.path("reached").path("lsn").asText());
    err.println(
        String.format(
            Locale.ROOT,
            "   runbook restore --type physical %s (plan %s + recover %s; %d WAL files; redo done"
                + " at %s)",
            secs(run.took()),
            secs(plan),
            secs(recover),
            restore.path("walFiles").asInt(),
            run.redoDone()));
    worker
        .logLine("base backup " + run.backupId() + " into " + dataDir + ": ")
        .ifPresent(line -> err.println("     the worker's split: " + line));
    discard(dataDir);
    return run;
  }

  /**
   * The floor: {@code zstd -d | tar -x} of the same base backup (decrypted beforehand, untimed),
   * {@code recovery.signal} and {@code restore_command = 'cp WALDIR/%f %p'} to the same restore
   * point, {@code pg_ctl start}, until the server logs that it was promoted.
   */
  RestoreRun floorRestore(Path baseTarZst, Path walDir, Path dataDir, int port)
      throws SQLException {
    runs.checkpoint();
    ServerUser user = ServerUser.current();
    long started = System.nanoTime();
    try {
      Files.createDirectories(dataDir);
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      user.own(dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("could not make " + dataDir, e);
    }
    env.pipeline(
        "zstd -d | tar -x",
        List.of(
            List.of(BackupRuns.ZSTD, "-d", "-q", "-c", baseTarZst.toString()),
            user.wrap(List.of("tar", "-xf", "-", "-C", dataDir.toString()))),
        BenchEnvironment.cleanEnvironment(),
        "floor-untar",
        BackupRuns.TOOL_TIMEOUT);
    Path log = dataDir.resolve("recovery.log");
    try {
      Path signal = Files.writeString(dataDir.resolve("recovery.signal"), "");
      user.own(signal);
      Files.writeString(
          dataDir.resolve("postgresql.auto.conf"),
          String.join(
              "\n",
              "restore_command = 'cp \"" + walDir + "/%f\" \"%p\"'",
              "recovery_target_name = '" + RESTORE_POINT + "'",
              "recovery_target_action = 'promote'",
              "port = " + port,
              "listen_addresses = '127.0.0.1'",
              "unix_socket_directories = ''",
              "archive_mode = 'off'",
              "logging_collector = 'off'",
              "lc_messages = 'C'",
              ""),
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException("could not configure the recovery in " + dataDir, e);
    }
    env.run(
            "pg_ctl start (floor restore)",
            user.wrap(
                List.of(
                    binaries.bin("pg_ctl").toString(),
                    "-D",
                    dataDir.toString(),
                    "-l",
                    log.toString(),
                    "-W",
                    "start")),
            BenchEnvironment.cleanEnvironment(),
            "floor-pg_ctl-start",
            Duration.ofMinutes(2))
        .requireSuccess();
    String text = awaitPromotion(log, started);
    Duration took = Duration.ofNanos(System.nanoTime() - started);
    Matcher m = REDO_DONE.matcher(text);
    String redo = m.find() ? m.group(1) : "?";
    err.println(
        String.format(
            Locale.ROOT,
            "   zstd -d | tar -x + recovery     %s (redo done at %s)",
            secs(took),
            redo));
    discard(dataDir);
    return new RestoreRun("", took, redo);
  }

  /** Polls the server's log every 50 ms until it says it was promoted; the log. */
  private static String awaitPromotion(Path log, long started) {
    long deadline = started + RECOVERY_TIMEOUT.toNanos();
    while (true) {
      String text;
      try {
        text = Files.exists(log) ? Files.readString(log) : "";
      } catch (IOException e) {
        throw new UncheckedIOException("could not read " + log, e);
      }
      if (text.contains(PROMOTED)) {
        return text;
      }
      if (text.contains("FATAL") || text.contains("PANIC")) {
        throw new BenchException("the floor's recovery failed; its log " + log + ":\n" + text);
      }
      if (System.nanoTime() > deadline) {
        throw new BenchException(
            "the floor's recovery was not promoted within " + RECOVERY_TIMEOUT + "; see " + log);
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new BenchException("interrupted waiting for the floor's recovery", e);
      }
    }
  }

  /** Stops a restored cluster at once and removes its directory. */
  void discard(Path dataDir) {
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      env.run(
          "pg_ctl stop (restored cluster)",
          ServerUser.current()
              .wrap(
                  List.of(
                      binaries.bin("pg_ctl").toString(),
                      "-D",
                      dataDir.toString(),
                      "-m",
                      "immediate",
                      "-w",
                      "stop")),
          BenchEnvironment.cleanEnvironment(),
          "pg_ctl-stop",
          Duration.ofMinutes(2));
    }
    WorkDir.deleteTree(dataDir);
  }

  private static long size(Path file) {
    try {
      return Files.size(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the size of " + file, e);
    }
  }

  private static void deleteIfExists(Path file) {
    try {
      Files.deleteIfExists(file);
    } catch (IOException e) {
      throw new UncheckedIOException("could not delete " + file, e);
    }
  }
}
