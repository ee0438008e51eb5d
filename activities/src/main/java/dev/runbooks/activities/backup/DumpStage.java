package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.SessionSettings;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.shared.FailureType;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dump step: an encrypted, streamed {@code pg_dump -Fc} into a repository upload, and its
 * manifest.
 *
 * <p>The dump never exists whole in memory or as plaintext on disk: {@code pg_dump}'s output runs
 * through SHA-256 and a fresh per-backup streaming key (wrapped by the key-encryption key) straight
 * into a repository upload, which becomes visible only when committed. Row counts and the object
 * list are read in the very snapshot {@code pg_dump} dumps ({@code pg_export_snapshot()} in a
 * REPEATABLE READ transaction kept open through the dump and read after it), so a restore drill
 * compares like with like. The manifest is written last: a backup without one is incomplete.
 */
final class DumpStage {
  private static final Logger log = LoggerFactory.getLogger(DumpStage.class);

  /** How long pg_dump waits for a table lock before it gives up (and the attempt is retried). */
  static final String LOCK_WAIT_TIMEOUT = "60s";

  private final TargetConnections connections;
  private final KeyEncryptionKey kek;
  private final PgTool tools;
  private final Clock clock;
  private final BackupCipher cipher = new BackupCipher();

  DumpStage(TargetConnections connections, KeyEncryptionKey kek, PgTool tools, Clock clock) {
    this.connections = connections;
    this.kek = kek;
    this.tools = tools;
    this.clock = clock;
  }

  BackupManifest dump(BackupRepository repository, String target, String id, String context)
      throws IOException {
    ConnectionSpec spec = connections.connectionSpec(target);
    DumpTimings timings = new DumpTimings();
    Instant started = clock.instant();
    Connection snapshot = openPrimary(target, spec);
    try {
      snapshot.setAutoCommit(false);
      Exported exported;
      try (Statement s = snapshot.createStatement()) {
        s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        // The row counts run beside pg_dump: one process, not a parallel scan whose workers take
        // the cores pg_dump's compression needs, and no JIT compiling for a count.
        s.execute("SET LOCAL max_parallel_workers_per_gather = 0");
        s.execute("SET LOCAL jit = off");
        try (ResultSet rs =
            s.executeQuery(
                "SELECT pg_export_snapshot(), current_setting('server_version'),"
                    + " current_setting('server_version_num')::int / 10000, current_database()")) {
          rs.next();
          exported = new Exported(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getString(4));
        }
      }
      checkPgDumpVersion(exported, spec);
      BackupManifest manifest =
          dumpInSnapshot(
              repository, target, id, context, spec, snapshot, exported, started, timings);
      log.info("{}: {}", context, timings.summary());
      return manifest;
    } catch (SQLException e) {
      throw Faults.sqlFault(
          context + ": reading " + spec.address() + "/" + spec.database() + " for the dump", e);
    } finally {
      closeQuietly(snapshot);
    }
  }

  private BackupManifest dumpInSnapshot(
      BackupRepository repository,
      String target,
      String id,
      String context,
      ConnectionSpec spec,
      Connection snapshot,
      Exported exported,
      Instant started,
      DumpTimings timings)
      throws IOException {
    DataKey key = cipher.newDataKey(kek);
    byte[] associatedData = BackupLayout.associatedData(target, id);
    DumpCompression compression = DumpCompression.ZSTD;
    List<String> args = new ArrayList<>();
    args.add("--format=custom");
    args.addAll(compression.pgDumpArguments());
    args.add("--snapshot=" + exported.snapshotId());
    args.add("--lock-wait-timeout=" + LOCK_WAIT_TIMEOUT);
    args.add("--no-password");
    // The same bounds as every session of the runbooks: the server stops the dump's work when
    // pg_dump dies (client_connection_check_interval).
    args.add(SessionSettings.dbnameArgument(spec.database(), sessionOptions(snapshot)));
    try (Heartbeat heartbeat = Heartbeat.start("dump", 0, "bytes");
        PgTool.Running pgDump = tools.start(PgTool.PG_DUMP, args, spec);
        BackupUpload upload = repository.create(BackupLayout.dumpKey(target, id))) {
      heartbeat.onStop(pgDump::kill);
      // A count(*) running when the activity is cancelled: cut its connection.
      heartbeat.onStop(() -> abortQuietly(snapshot));
      pgDump.stdin().close();
      // While pg_dump streams, in the transaction that exported its snapshot and stays open
      // (pg_dump imported it): the counts and objects are those of the dump, whatever is written
      // meanwhile, and counting costs no time of its own.
      FutureTask<Inventory.Contents> inventory =
          new FutureTask<>(
              () -> {
                long counting = System.nanoTime();
                Inventory.Contents read =
                    Inventory.read(snapshot, InventoryQueries.CURRENT, tables -> heartbeat.check());
                timings.countingTook(Duration.ofNanos(System.nanoTime() - counting));
                return read;
              });
      Thread counting = new Thread(inventory, "inventory " + target + "/" + id);
      counting.setDaemon(true);
      counting.start();

      HashingOutputStream ciphertext = new HashingOutputStream(upload);
      HashingOutputStream plaintext;
      long archiveBytes;
      Inventory.Contents contents;
      try {
        plaintext = new HashingOutputStream(cipher.encrypt(ciphertext, key, associatedData));
        // Closing it ends the compression, then the encryption.
        timings.streaming();
        try (ReadAhead output = ReadAhead.start(pgDump.stdout(), "pg_dump " + target + "/" + id);
            OutputStream archive = compression.compressing(plaintext)) {
          archiveBytes = copy(output, archive, heartbeat, ciphertext);
        }
        timings.streamed();
        int exit = Pipes.waitFor(pgDump, heartbeat);
        timings.exited();
        if (exit != 0) {
          throw dumpFailed(target, context, spec, pgDump, exit);
        }
        contents = await(inventory, heartbeat, context);
        timings.counted();
      } finally {
        if (!inventory.isDone()) {
          // The dump failed while counting went on: cut the count, not wait for it.
          abortQuietly(snapshot);
        }
      }
      upload.commit();
      timings.committed();
      Instant finished = clock.instant();
      BackupManifest manifest =
          new BackupManifest(
              BackupManifest.FORMAT_VERSION,
              id,
              target,
              exported.database(),
              exported.serverVersion(),
              tools.version(PgTool.PG_DUMP),
              started,
              finished,
              compression.manifestName(),
              archiveBytes,
              plaintext.digest().bytes(),
              plaintext.digest().sha256(),
              ciphertext.digest().bytes(),
              ciphertext.digest().sha256(),
              key.wrapped(),
              contents.rowCounts(),
              contents.objects(),
              InventoryQueries.CURRENT);
      // Last: with the manifest in place the backup is complete.
      repository.put(
          BackupLayout.manifestKey(target, id),
          BackupManifests.toJson(manifest).getBytes(StandardCharsets.UTF_8));
      return manifest;
    }
  }

  /** The snapshot the dump's transaction exported, and what it says about the server. */
  private record Exported(
      String snapshotId, String serverVersion, int serverMajor, String database) {}

  /**
   * Copies pg_dump's output into the pipeline. The heartbeat counts the bytes stored so far, the
   * unit of the step's detail ("N bytes encrypted"), not pg_dump's, which compress to far fewer.
   *
   * @return the bytes copied
   */
  private static long copy(
      ReadAhead from, OutputStream to, Heartbeat heartbeat, HashingOutputStream stored)
      throws IOException {
    long copied = 0;
    try {
      ReadAhead.Chunk chunk;
      while ((chunk = from.next()) != null) {
        heartbeat.check();
        to.write(chunk.bytes, 0, chunk.length);
        copied += chunk.length;
        from.recycle(chunk);
        heartbeat.set(stored.bytes());
      }
    } catch (IOException e) {
      // A cancellation kills pg_dump, which closes its output under us: report the cancellation.
      heartbeat.check();
      throw e;
    }
    heartbeat.check();
    return copied;
  }

  /**
   * The inventory read beside the dump, once it is done. A cancelled activity stops waiting (and
   * its heartbeat's stop hook cuts the counting connection).
   */
  private static Inventory.Contents await(
      FutureTask<Inventory.Contents> inventory, Heartbeat heartbeat, String context) {
    try {
      while (true) {
        heartbeat.check();
        try {
          return inventory.get(Heartbeat.INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
          // still counting
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientBackupException("interrupted waiting for the dump's row counts", e);
    } catch (ExecutionException e) {
      heartbeat.check();
      Throwable cause = e.getCause();
      if (cause instanceof SQLException sql) {
        throw Faults.sqlFault(
            context + ": counting rows and listing objects in the dump's snapshot", sql);
      }
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new TransientBackupException(
          context + ": counting rows and listing objects in the dump's snapshot failed: " + cause,
          cause);
    }
  }

  /**
   * pg_dump failed. When the database itself is gone, retrying cannot help: NOT_FOUND. Anything
   * else (a cut connection, a lock timeout, a server restart) may pass: retried.
   */
  private RuntimeException dumpFailed(
      String target, String context, ConnectionSpec spec, PgTool.Running pgDump, int exit) {
    String errors = pgDump.errors();
    String where = spec.address() + "/" + spec.database();
    if (!databaseExists(target)) {
      return FailureType.NOT_FOUND.failure(
          context
              + ": the database "
              + spec.database()
              + " vanished from "
              + spec.address()
              + " during the dump (pg_dump exited with "
              + exit
              + ": "
              + firstError(errors)
              + "). Nothing was stored. Check whether it was dropped or renamed on purpose, and"
              + " point targets."
              + target
              + ".primary.database at the database to back up");
    }
    return new TransientBackupException(
        context
            + ": pg_dump of "
            + where
            + " exited with "
            + exit
            + "; nothing was stored and the attempt will be retried. pg_dump said: "
            + (errors.isEmpty() ? "nothing" : errors),
        null);
  }

  private boolean databaseExists(String target) {
    try (Connection c = connections.primary(target)) {
      return c.isValid(5);
    } catch (SQLException e) {
      return !Faults.noSuchDatabase(e);
    } catch (ApplicationFailure e) {
      return true;
    }
  }

  private Connection openPrimary(String target, ConnectionSpec spec) {
    try {
      return connections.primary(target);
    } catch (SQLException e) {
      if (Faults.noSuchDatabase(e)) {
        throw FailureType.NOT_FOUND.failure(
            "target "
                + target
                + "'s database "
                + spec.database()
                + " does not exist on "
                + spec.address()
                + ": point targets."
                + target
                + ".primary.database at the database to back up");
      }
      throw Faults.sqlFault(
          "connecting to target " + target + " at " + spec.address() + " for the dump", e);
    }
  }

  private void checkPgDumpVersion(Exported exported, ConnectionSpec spec) {
    int serverMajor = exported.serverMajor();
    if (tools.majorVersion(PgTool.PG_DUMP) < serverMajor) {
      throw FailureType.BAD_INPUT.failure(
          "the server at "
              + spec.address()
              + " runs PostgreSQL "
              + exported.serverVersion()
              + " but this worker's pg_dump is "
              + tools.version(PgTool.PG_DUMP)
              + ", older: pg_dump must be at least the server's major version. Install the"
              + " PostgreSQL "
              + serverMajor
              + " client programs on the worker and set "
              + PgBinaries.ENV
              + " to their bin directory");
    }
  }

  /** pg_dump's first "error:" line, which says what went wrong; else its last line. */
  private static String firstError(String text) {
    String[] lines = text.strip().split("\\R");
    for (String line : lines) {
      if (line.contains("error:")) {
        return line;
      }
    }
    return lines[lines.length - 1].isEmpty() ? "no message" : lines[lines.length - 1];
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException e) {
      log.debug("closing the snapshot connection failed: {}", e.toString());
    }
  }

  private static void abortQuietly(Connection c) {
    try {
      c.abort(Runnable::run);
    } catch (SQLException e) {
      log.debug("aborting the snapshot connection failed: {}", e.toString());
    }
  }

  private String sessionOptions(Connection server) throws IOException {
    try {
      return connections.sessionSettings().libpqOptions(server);
    } catch (SQLException e) {
      throw new IOException("could not read the server's version for pg_dump's session: " + e, e);
    }
  }
}
