package dev.runbooks.activities.pitr;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.ZstdStreams;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.workflows.pitr.PitrPoint;
import dev.runbooks.workflows.pitr.PitrTarget;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Recovers a base backup to a target on the worker's host: the WAL it replays ({@link WalFetch}) is
 * fetched, verified and decrypted into a local directory, in order, on a thread of its own, while
 * the tar is decrypted and unpacked into the new data directory and then while PostgreSQL recovers
 * with a {@code restore_command} that copies each file from that directory once it is there. The
 * server stops at the target and promotes; the point reached is read from its log. A flipped byte
 * or a missing object stops the restore at that file, naming it: the server, waiting for the file,
 * never replays past it, and is stopped.
 */
final class PitrRecovery {
  static final String LOG = "runbooks-recovery.log";
  static final String OWNER_FILE = "runbooks-restore.id";

  private static final String PROMOTED = "database system is ready to accept connections";
  private static final long STARTUP_GRACE_NANOS = 30_000_000_000L;
  private static final long STATUS_EVERY_NANOS = 2_000_000_000L;
  private static final Logger log = LoggerFactory.getLogger(PitrRecovery.class);

  private static final Pattern REDO_DONE = Pattern.compile("redo done at ([0-9A-F]+/[0-9A-F]+)");
  private static final Pattern LAST_XACT =
      Pattern.compile("last completed transaction was at log time ([^\\n]+)");
  private static final Pattern NEW_TIMELINE = Pattern.compile("selected new timeline ID: (\\d+)");
  private static final String TARGET_NOT_REACHED =
      "recovery ended before configured recovery target was reached";

  private final KeyEncryptionKey kek;
  private final ServerHost host;
  private final BackupCipher cipher = new BackupCipher();

  PitrRecovery(KeyEncryptionKey kek, ServerHost host) {
    this.kek = kek;
    this.host = host;
  }

  /** What the recovery did. */
  record Recovered(String backupId, PitrPoint reached, int walFiles, long bytes) {}

  /** How the restored cluster is set up besides the target. */
  record Settings(int port, String hbaFirstLine, boolean verifyBackup, String ownerKey) {}

  Recovered recover(
      BackupRepository repository,
      WalArchive archive,
      PitrPlanner.Plan plan,
      PitrTarget to,
      Path dataDir,
      Settings settings,
      Heartbeat heartbeat)
      throws IOException {
    BaseBackupManifest b = plan.backup();
    long began = System.nanoTime();
    Path walDir = Files.createTempDirectory("runbooks-pitr-wal");
    try {
      // The server's restore_command reads it: the server's user owns it, nobody else reads it.
      host.serverDirectory(walDir);
      host.serverDirectory(dataDir);
      Files.writeString(dataDir.resolve(OWNER_FILE), settings.ownerKey());
      WalFetch wal = new WalFetch(archive, host, plan, to, walDir);
      wal.announce();
      Beside fetching =
          Beside.start("runbooks-pitr-wal-fetch", () -> wal.fetchAnnounced(heartbeat));
      long bytes;
      String serverLog;
      long unpacked;
      long started;
      try {
        bytes = unpack(repository, b, dataDir, heartbeat);
        unpacked = System.nanoTime();
        if (settings.verifyBackup()) {
          // pg_verifybackup reads the backup's WAL from the directory: all of it fetched first.
          fetching.await();
          verifyBackup(dataDir, walDir, heartbeat);
        }
        RecoveryConfig.write(dataDir, walDir, to, settings);
        fetching.rethrowIfFailed();
        start(dataDir, heartbeat);
        started = System.nanoTime();
        serverLog = awaitPromotion(dataDir, to, wal, fetching, heartbeat);
      } finally {
        // Promoted: what the fetch still brings is past the target. Failed: the caller stops the
        // server, whose restore command is waiting on the fetch.
        wal.stop();
        fetching.awaitQuietly();
      }
      log.info(
          "base backup {} into {}: unpacked in {} ms, started {} ms later, recovered and"
              + " promoted {} ms later, {} WAL files fetched meanwhile",
          b.id(),
          dataDir,
          ms(unpacked - began),
          ms(started - unpacked),
          ms(System.nanoTime() - started),
          wal.fetched());
      return new Recovered(b.id(), reached(serverLog), wal.fetched(), bytes + wal.bytes());
    } finally {
      deleteTree(walDir);
    }
  }

  /** Decrypts, decompresses and unpacks the base backup's tar into {@code dataDir}. */
  private long unpack(BackupRepository repository, BaseBackupManifest b, Path dataDir, Heartbeat hb)
      throws IOException {
    String key = BaseBackupLayout.baseKey(b.target(), b.id());
    Path out = Files.createTempFile("runbooks-pitr-tar", ".out");
    try {
      ProcessBuilder builder =
          new ProcessBuilder(
                  host.asServerUser(List.of("tar", "-xf", "-", "-C", dataDir.toString())))
              .redirectErrorStream(true)
              .redirectOutput(out.toFile());
      Process tar = builder.start();
      hb.onStop(tar::destroyForcibly);
      try (InputStream encrypted = repository.open(key);
          InputStream plain =
              cipher.decrypt(encrypted, b.wrappedKey(), kek, BaseBackupLayout.associatedData(key));
          InputStream tarStream = ZstdStreams.decompressing(plain);
          OutputStream stdin = tar.getOutputStream()) {
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = tarStream.read(buffer)) >= 0) {
          hb.check();
          stdin.write(buffer, 0, n);
        }
      } catch (IOException e) {
        if (tar.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && tar.exitValue() != 0) {
          throw new PermanentBackupException(
              FailureType.PERMISSION_DENIED,
              "tar, run as the server's OS user, could not unpack base backup "
                  + b.id()
                  + " into "
                  + dataDir
                  + ": "
                  + Files.readString(out).strip()
                  + ". Let that user reach and write the directory (every directory above it"
                  + " must be traversable), or choose another --into-cluster",
              e);
        }
        throw e;
      }
      int exit = tar.waitFor();
      if (exit != 0) {
        throw new IOException(
            "tar could not unpack base backup " + b.id() + ": " + Files.readString(out).strip());
      }
      return b.ciphertextBytes();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted unpacking base backup " + b.id(), e);
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private void verifyBackup(Path dataDir, Path walDir, Heartbeat heartbeat) throws IOException {
    ServerHost.Result r =
        host.run(
            List.of(
                host.bin("pg_verifybackup"),
                "--wal-directory=" + walDir,
                "--ignore=" + OWNER_FILE,
                dataDir.toString()),
            Map.of(),
            heartbeat);
    if (r.exit() != 0) {
      throw new PermanentBackupException(
          FailureType.CORRUPTED_BACKUP,
          "pg_verifybackup found the restored base backup in "
              + dataDir
              + " does not match its backup_manifest: "
              + r.output());
    }
  }

  private void start(Path dataDir, Heartbeat heartbeat) throws IOException {
    ServerHost.Result r =
        host.run(
            host.asServerUser(
                List.of(
                    host.bin("pg_ctl"),
                    "-D",
                    dataDir.toString(),
                    "-l",
                    dataDir.resolve(LOG).toString(),
                    "-W",
                    "start")),
            Map.of(),
            heartbeat);
    if (r.exit() != 0) {
      throw new IOException("pg_ctl could not start the restored cluster: " + r.output());
    }
  }

  /**
   * Waits until the cluster is promoted ("in production"). Recovery that ran out of WAL before its
   * target runs again with the next segment fetched (its target's record went on into it). A time
   * target no transaction committed after, up to the archive's end, is not "reached" by PostgreSQL;
   * the data at that time is the data at the end, so recovery runs again to the end.
   *
   * @return the server's log
   */
  private String awaitPromotion(
      Path dataDir, PitrTarget to, WalFetch wal, Beside fetching, Heartbeat heartbeat)
      throws IOException {
    boolean retried = false;
    long started = System.nanoTime();
    long asked = started;
    int since = 0;
    while (true) {
      heartbeat.check();
      // A file that failed to fetch (a flipped byte, a missing object) keeps the restore command
      // waiting: the recovery stops here, naming the file, before it could go past it.
      fetching.rethrowIfFailed();
      String log = logSince(dataDir, since);
      // Not pg_control's state: a base backup's copy says "in production" from the start.
      if (log.contains(PROMOTED)) {
        return logSince(dataDir, 0);
      }
      // pg_ctl -W returns before the server has written its pid file: give it time to.
      boolean starting =
          !Files.exists(dataDir.resolve("postmaster.pid"))
              && System.nanoTime() - started < STARTUP_GRACE_NANOS
              && !log.contains("FATAL");
      // pg_ctl status is a process (through runuser when root): asked every 2 s, not each poll.
      boolean ask = System.nanoTime() - asked >= STATUS_EVERY_NANOS;
      if (!starting && ask) {
        asked = System.nanoTime();
      }
      if (!starting && ask && !running(dataDir, heartbeat)) {
        log = logSince(dataDir, since);
        if (log.contains(PROMOTED)) {
          return logSince(dataDir, 0);
        }
        boolean notReached = log.contains(TARGET_NOT_REACHED);
        if (notReached) {
          fetching.await(); // it had ended: the restore command said "no such file"
        }
        if (notReached && wal.fetchNext(heartbeat)) {
          since = logSince(dataDir, 0).length();
          start(dataDir, heartbeat);
          started = System.nanoTime();
          continue;
        }
        if (to.kind() == PitrTarget.Kind.TIME && notReached && !retried) {
          retried = true;
          Path auto = dataDir.resolve("postgresql.auto.conf");
          List<String> kept = new ArrayList<>();
          for (String line : Files.readAllLines(auto)) {
            if (!line.startsWith("recovery_target_time")) {
              kept.add(line);
            }
          }
          Files.write(auto, kept);
          since = logSince(dataDir, 0).length();
          start(dataDir, heartbeat);
          started = System.nanoTime();
          continue;
        }
        throw failed(to, log);
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted waiting for the recovery", e);
      }
    }
  }

  /** The server's log from character {@code from} on; empty before the server created it. */
  private static String logSince(Path dataDir, int from) throws IOException {
    Path file = dataDir.resolve(LOG);
    if (!Files.exists(file)) {
      return "";
    }
    String log = Files.readString(file);
    return log.substring(Math.min(from, log.length()));
  }

  private static PermanentBackupException failed(PitrTarget to, String log) {
    List<String> fatal = new ArrayList<>();
    for (String line : log.split("\\R")) {
      if (line.contains("FATAL") || line.contains("PANIC")) {
        fatal.add(line.strip());
      }
    }
    String why = fatal.isEmpty() ? "its log says no more" : String.join("; ", fatal);
    if (log.contains(TARGET_NOT_REACHED)) {
      return new PermanentBackupException(
          FailureType.BAD_INPUT,
          "the recovery to "
              + to.describe()
              + " replayed all the WAL it was given without reaching it ("
              + why
              + "): a restore point older than the base backup, or one never created. Choose"
              + " --to-time or --to-lsn inside the window 'runbook backups' shows");
    }
    return new PermanentBackupException(
        FailureType.CORRUPTED_BACKUP,
        "the restored cluster stopped during recovery to " + to.describe() + ": " + why);
  }

  private boolean running(Path dataDir, Heartbeat heartbeat) throws IOException {
    return host.run(
                host.asServerUser(List.of(host.bin("pg_ctl"), "-D", dataDir.toString(), "status")),
                Map.of(),
                heartbeat)
            .exit()
        == 0;
  }

  static PitrPoint reached(String log) {
    String lsn = last(REDO_DONE, log);
    String time = last(LAST_XACT, log);
    String timeline = last(NEW_TIMELINE, log);
    return new PitrPoint(
        lsn == null ? "" : lsn,
        time == null ? "" : time.strip(),
        timeline == null ? 0 : Integer.parseInt(timeline));
  }

  private static String last(Pattern pattern, String text) {
    Matcher m = pattern.matcher(text);
    String found = null;
    while (m.find()) {
      found = m.group(1);
    }
    return found;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  /** Stops a restored cluster at once (it is scratch) and removes its directory. */
  void discard(Path dataDir, Heartbeat heartbeat) throws IOException {
    if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      host.run(
          host.asServerUser(
              List.of(host.bin("pg_ctl"), "-D", dataDir.toString(), "-m", "immediate", "stop")),
          Map.of(),
          heartbeat);
    }
    deleteTree(dataDir);
  }

  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
