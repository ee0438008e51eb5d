package dev.runbooks.activities.pitr;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.runbooks.activities.backup.Faults;
import dev.runbooks.activities.backup.Pipes;
import dev.runbooks.activities.backup.TransientBackupException;
import dev.runbooks.activities.backup.ZstdStreams;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.shared.FailureType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The base backup step: {@code pg_basebackup -Ft -X none -D -} (one tar on stdout, the WAL left to
 * the archiver) through zstd, SHA-256 and a fresh per-backup data key into a repository upload.
 * PostgreSQL's {@code backup_manifest}, which pg_basebackup puts at the end of that tar, is read as
 * it passes and stored encrypted beside it: its WAL range is the backup's start and stop LSN. This
 * worker's manifest is written as {@code base.pending.json}; {@link BaseBackupCompletion} makes it
 * {@code physical.json} once the archive holds the WAL up to the stop LSN.
 */
final class BaseBackupStage {
  static final String PG_BASEBACKUP = "pg_basebackup";
  static final String PG_MANIFEST = "backup_manifest";
  static final int ZSTD_LEVEL = 3;

  private static final int BUFFER = 64 * 1024;

  /**
   * zstd compresses on a native thread of its own while this one reads pg_basebackup's tar and
   * encrypts what comes out, as the zstd program does (its default {@code --threads=1}): on one
   * thread, reading, copying into zstd and compressing took turns and pg_basebackup waited on a
   * full pipe meanwhile.
   */
  static final int ZSTD_WORKERS = 1;

  private static final JsonMapper JSON = JsonMapper.builder().build();
  private static final Logger log = LoggerFactory.getLogger(BaseBackupStage.class);

  private final TargetConnections connections;
  private final KeyEncryptionKey kek;
  private final PgTool tools;
  private final Clock clock;
  private final BackupCipher cipher = new BackupCipher();

  BaseBackupStage(TargetConnections connections, KeyEncryptionKey kek, PgTool tools, Clock clock) {
    this.connections = connections;
    this.kek = kek;
    this.tools = tools;
    this.clock = clock;
  }

  /** Takes the base backup and writes its pending manifest. */
  BaseBackupManifest take(BackupRepository repository, String target, String id, String context)
      throws IOException {
    ConnectionSpec spec = connections.connectionSpec(target);
    Instant started = clock.instant();
    long t0 = System.nanoTime();
    Server server = server(target, spec, context);
    DataKey key = cipher.newDataKey(kek);
    String baseKey = BaseBackupLayout.baseKey(target, id);
    List<String> args = List.of("-Ft", "-X", "none", "-D", "-", "-c", "fast", "--no-password");
    try (Heartbeat heartbeat = Heartbeat.start("base backup", 0, "bytes");
        PgTool.Running basebackup = tools.start(PG_BASEBACKUP, args, spec);
        BackupUpload upload = repository.create(baseKey)) {
      heartbeat.onStop(basebackup::kill);
      basebackup.stdin().close();
      long streaming = System.nanoTime();
      long cpu = threadCpu();
      HashingOutputStream ciphertext = new HashingOutputStream(upload);
      HashingOutputStream plaintext =
          new HashingOutputStream(
              cipher.encrypt(ciphertext, key, BaseBackupLayout.associatedData(baseKey)));
      TarMemberCapture tar;
      long tarBytes;
      // Closing it ends the compression, then the encryption.
      try (OutputStream compressed = ZstdStreams.compressing(plaintext, ZSTD_LEVEL, ZSTD_WORKERS)) {
        tar = new TarMemberCapture(compressed, Set.of(PG_MANIFEST));
        tarBytes = copy(basebackup.stdout(), tar, heartbeat);
      }
      long streamed = System.nanoTime();
      cpu = threadCpu() - cpu;
      int exit = Pipes.waitFor(basebackup, heartbeat);
      long exited = System.nanoTime();
      if (exit != 0) {
        throw new TransientBackupException(
            context
                + ": pg_basebackup from "
                + spec.address()
                + " exited with "
                + exit
                + "; nothing was stored and the attempt will be retried. pg_basebackup said: "
                + basebackup.errors().strip(),
            null);
      }
      byte[] pgManifest = tar.captured().get(PG_MANIFEST);
      if (pgManifest == null) {
        throw FailureType.CORRUPTED_BACKUP.failure(
            context
                + ": pg_basebackup's tar from "
                + spec.address()
                + " holds no backup_manifest, so the backup's WAL range is unknown. Use"
                + " pg_basebackup 13 or newer and do not pass --no-manifest");
      }
      WalRange range = walRange(pgManifest, context);
      upload.commit();
      long committed = System.nanoTime();
      String pgManifestKey = BaseBackupLayout.pgManifestKey(target, id);
      repository.put(pgManifestKey, encrypt(pgManifest, key, pgManifestKey));
      Digest pgDigest = Digest.of(pgManifest);
      BaseBackupManifest manifest =
          new BaseBackupManifest(
              BaseBackupManifest.FORMAT_VERSION,
              id,
              target,
              server.version(),
              server.systemIdentifier(),
              tools.version(PG_BASEBACKUP),
              started,
              clock.instant(),
              range.timeline(),
              range.start(),
              range.end(),
              "zstd",
              tarBytes,
              plaintext.digest().bytes(),
              plaintext.digest().sha256(),
              ciphertext.digest().bytes(),
              ciphertext.digest().sha256(),
              pgDigest.bytes(),
              pgDigest.sha256(),
              key.wrapped());
      repository.put(BaseBackupLayout.pendingKey(target, id), BaseBackups.json(manifest));
      log.info(
          "{}: {} tar bytes; setup {} ms, streaming {} ms (the pipeline's CPU {} ms),"
              + " pg_basebackup's exit {} ms, commit {} ms, manifests {} ms",
          context,
          tarBytes,
          ms(streaming - t0),
          ms(streamed - streaming),
          cpu < 0 ? "not measured" : ms(cpu),
          ms(exited - streamed),
          ms(committed - exited),
          ms(System.nanoTime() - committed));
      return manifest;
    }
  }

  /** The WAL range PostgreSQL's manifest gives: the backup's one timeline, start and end. */
  record WalRange(int timeline, String start, String end) {}

  static WalRange walRange(byte[] pgManifest, String context) {
    try {
      JsonNode ranges = JSON.readTree(pgManifest).path("WAL-Ranges");
      if (ranges.size() != 1) {
        throw FailureType.CORRUPTED_BACKUP.failure(
            context
                + ": expected one WAL range in PostgreSQL's backup_manifest, found "
                + ranges.size()
                + " (a backup taken across a timeline switch, on a standby being promoted):"
                + " take the base backup again");
      }
      JsonNode r = ranges.get(0);
      return new WalRange(
          r.path("Timeline").asInt(), r.path("Start-LSN").asText(), r.path("End-LSN").asText());
    } catch (IOException e) {
      throw FailureType.CORRUPTED_BACKUP.failure(
          context + ": PostgreSQL's backup_manifest is not JSON: " + e.getMessage());
    }
  }

  private byte[] encrypt(byte[] plaintext, DataKey key, String objectKey) throws IOException {
    ByteArrayOutputStream sink = new ByteArrayOutputStream(plaintext.length + 1024);
    try (OutputStream out = cipher.encrypt(sink, key, BaseBackupLayout.associatedData(objectKey))) {
      out.write(plaintext);
    }
    return sink.toByteArray();
  }

  /** The server's version and identity, read before the backup. */
  private record Server(String version, String systemIdentifier) {}

  private Server server(String target, ConnectionSpec spec, String context) {
    try (Connection c = connections.primary(target);
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT current_setting('server_version'),"
                    + " (SELECT system_identifier FROM pg_control_system())::text")) {
      rs.next();
      return new Server(rs.getString(1), rs.getString(2));
    } catch (SQLException e) {
      throw Faults.sqlFault(context + ": reading " + spec.address() + " before the base backup", e);
    }
  }

  /** This thread's CPU time in ns, or -1 where the JVM cannot tell. */
  private static long threadCpu() {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime() : -1;
  }

  private static long ms(long nanos) {
    return nanos / 1_000_000;
  }

  private static long copy(InputStream from, OutputStream to, Heartbeat heartbeat)
      throws IOException {
    byte[] buffer = new byte[BUFFER];
    long copied = 0;
    try {
      int n;
      while ((n = from.read(buffer)) >= 0) {
        heartbeat.check();
        to.write(buffer, 0, n);
        heartbeat.add(n);
        copied += n;
      }
    } catch (IOException e) {
      // A cancellation kills pg_basebackup, which closes its output under us.
      heartbeat.check();
      throw e;
    }
    heartbeat.check();
    return copied;
  }
}
