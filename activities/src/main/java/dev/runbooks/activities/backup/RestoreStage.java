package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Heartbeat;
import dev.runbooks.activities.postgres.PgTool;
import dev.runbooks.activities.postgres.SessionSettings;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The restore step. A restore streams: download, SHA-256 of the ciphertext, authenticated
 * decryption, {@code pg_restore} reading stdin, so a single job (pg_restore cannot run parallel
 * jobs from a pipe). It writes only into a database it creates (see {@link CleanupStage}).
 */
final class RestoreStage {
  private static final Logger log = LoggerFactory.getLogger(RestoreStage.class);

  private static final int BUFFER = 64 * 1024;

  private final TargetConnections connections;
  private final BackupTargets targets;
  private final KeyEncryptionKey kek;
  private final PgTool tools;
  private final CleanupStage databases;
  private final BackupCipher cipher = new BackupCipher();

  RestoreStage(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey kek,
      PgTool tools,
      CleanupStage databases) {
    this.connections = connections;
    this.targets = targets;
    this.kek = kek;
    this.tools = tools;
    this.databases = databases;
  }

  RestoreOutcome restoreBackup(RestoreInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String database = BackupNames.restoreDatabase(input.database());
    String context = "restore of backup " + id + " of target " + target + " into " + database;
    BackupRepository repository = targets.repository(target);
    ConnectionSpec spec = connections.connectionSpec(target);
    CleanupStage.refuseTargetDatabase(spec, database, target);
    return Faults.call(
        context,
        repository,
        () -> {
          BackupManifest manifest = StoredBackups.requireManifest(repository, target, id);
          checkStoredSize(repository, manifest, context);
          long started = System.nanoTime();
          try (InputStream download = repository.open(BackupLayout.dumpKey(target, id))) {
            HashingInputStream ciphertext = new HashingInputStream(download);
            // Unwraps the data key first: a wrong key-encryption key fails here, before any
            // database
            // is created.
            InputStream decrypting =
                cipher.decrypt(
                    ciphertext,
                    manifest.wrappedKey(),
                    kek,
                    BackupLayout.associatedData(target, id));
            HashingInputStream plaintext = new HashingInputStream(decrypting);
            databases.prepareDatabase(target, spec, database, input, context);
            try {
              restore(
                  plaintext,
                  spec.withDatabase(database),
                  sessionOptions(target),
                  manifest,
                  context);
              checkDigests(ciphertext, plaintext, manifest, context);
            } catch (RuntimeException | IOException e) {
              databases.dropAfterFailure(input, database, context);
              throw e;
            }
            Duration duration = Duration.ofNanos(System.nanoTime() - started);
            log.info(
                "{}: {} bytes restored in {} ms",
                context,
                plaintext.digest().bytes(),
                duration.toMillis());
            return new RestoreOutcome(id, database, plaintext.digest().bytes(), duration);
          }
        });
  }

  private static void checkStoredSize(
      BackupRepository repository, BackupManifest manifest, String context) throws IOException {
    String key = BackupLayout.dumpKey(manifest.target(), manifest.id());
    Optional<Long> size = repository.size(key);
    if (size.isEmpty()) {
      throw new PermanentBackupException(
          FailureType.CORRUPTED_BACKUP,
          context
              + ": the manifest is there but "
              + key
              + " is missing from "
              + repository.describe()
              + ": the backup was partly deleted; restore another backup");
    }
    if (size.get() != manifest.ciphertextBytes()) {
      throw new PermanentBackupException(
          FailureType.CORRUPTED_BACKUP,
          context
              + ": "
              + key
              + " holds "
              + size.get()
              + " bytes but the manifest says "
              + manifest.ciphertextBytes()
              + (size.get() < manifest.ciphertextBytes()
                  ? ": the stored object is truncated"
                  : ": the stored object was appended to or replaced")
              + "; restore another backup");
    }
  }

  /** Pipes the plaintext into pg_restore; throws when it fails. */
  private void restore(
      HashingInputStream plaintext,
      ConnectionSpec spec,
      String sessionOptions,
      BackupManifest manifest,
      String context)
      throws IOException {
    List<String> args =
        List.of(
            "--exit-on-error",
            "--no-password",
            SessionSettings.dbnameArgument(spec.database(), sessionOptions));
    // In the unit of the step's detail: bytes of the stored dump decrypted, of plaintextBytes.
    try (Heartbeat heartbeat = Heartbeat.start("restore", manifest.plaintextBytes(), "bytes");
        InputStream archive = manifest.dumpCompression().decompressing(plaintext);
        PgTool.Running pgRestore = tools.start(PgTool.PG_RESTORE, args, spec)) {
      heartbeat.onStop(pgRestore::kill);
      boolean stdinClosedEarly = false;
      OutputStream stdin = pgRestore.stdin();
      try {
        byte[] buffer = new byte[BUFFER];
        int n;
        // A failing read (the download, a segment that fails authentication, the decompression)
        // is thrown; a failing write means pg_restore has ended, and its exit code and stderr say
        // why.
        while ((n = archive.read(buffer)) >= 0) {
          heartbeat.check();
          try {
            stdin.write(buffer, 0, n);
          } catch (IOException pgRestoreEnded) {
            stdinClosedEarly = true;
            break;
          }
          heartbeat.set(plaintext.bytes());
        }
      } catch (IOException | RuntimeException e) {
        pgRestore.kill();
        heartbeat.check();
        throw e;
      }
      try {
        stdin.close();
      } catch (IOException pgRestoreEnded) {
        stdinClosedEarly = true;
      }
      int exit = Pipes.waitFor(pgRestore, heartbeat);
      if (exit != 0) {
        String errors = pgRestore.errors();
        throw new TransientBackupException(
            context
                + ": pg_restore into "
                + spec.address()
                + "/"
                + spec.database()
                + " exited with "
                + exit
                + "; the half-restored database was dropped and the attempt will be retried."
                + " pg_restore said: "
                + (errors.isEmpty() ? "nothing" : errors),
            null);
      }
      if (stdinClosedEarly) {
        log.debug("{}: pg_restore succeeded without reading the archive to its end", context);
      }
      // pg_restore may stop reading before the end of the archive; what is left must still be
      // authenticated and hashed.
      plaintext.drain();
      heartbeat.set(plaintext.bytes());
    }
  }

  private static void checkDigests(
      HashingInputStream ciphertext,
      HashingInputStream plaintext,
      BackupManifest manifest,
      String context) {
    Digest stored = ciphertext.digest();
    if (!stored.sha256().equals(manifest.ciphertextSha256())
        || stored.bytes() != manifest.ciphertextBytes()) {
      throw new PermanentBackupException(
          FailureType.CHECKSUM_MISMATCH,
          context
              + ": the stored dump has SHA-256 "
              + stored.sha256()
              + " ("
              + stored.bytes()
              + " bytes) but the manifest says "
              + manifest.ciphertextSha256()
              + " ("
              + manifest.ciphertextBytes()
              + " bytes): the manifest or the object was altered; restore another backup");
    }
    Digest restored = plaintext.digest();
    if (!restored.sha256().equals(manifest.plaintextSha256())
        || restored.bytes() != manifest.plaintextBytes()) {
      throw new PermanentBackupException(
          FailureType.CHECKSUM_MISMATCH,
          context
              + ": the decrypted dump has SHA-256 "
              + restored.sha256()
              + " ("
              + restored.bytes()
              + " bytes) but the manifest says "
              + manifest.plaintextSha256()
              + " ("
              + manifest.plaintextBytes()
              + " bytes): the manifest was altered; restore another backup");
    }
  }

  /** pg_restore's session gets the bounds every session of the runbooks has. */
  private String sessionOptions(String target) throws IOException {
    try (Connection c = connections.primary(target)) {
      return connections.sessionSettings().libpqOptions(c);
    } catch (SQLException e) {
      throw new IOException(
          "could not read the server's version for pg_restore's session: " + e, e);
    }
  }
}
