package dev.runbooks.activities.backup;

import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.pgtools.PgBinaries;
import dev.runbooks.workflows.backup.Comparison;
import dev.runbooks.workflows.backup.DrillRequest;
import dev.runbooks.workflows.backup.DrillVerdictInput;
import dev.runbooks.workflows.backup.RestoreActivities;
import dev.runbooks.workflows.backup.RestoreInput;
import dev.runbooks.workflows.backup.RestoreOutcome;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side effects of restore drills and incident restores: choosing the backup, restoring it into
 * a new database on the target's server, comparing that with the manifest, dropping it, and
 * recording the drill's verdict beside the backup.
 *
 * <p>A restore streams: download, SHA-256 of the ciphertext, authenticated decryption, {@code
 * pg_restore} reading stdin, so a single job (pg_restore cannot run parallel jobs from a pipe).
 * Databases a restore creates carry a comment naming the backup; a restore re-creates and {@link
 * #dropRestoredDatabase} drops only databases with that comment, so no database that existed before
 * a restore is ever overwritten or dropped.
 */
public final class RestoreActivitiesImpl implements RestoreActivities {
  private static final Logger log = LoggerFactory.getLogger(RestoreActivitiesImpl.class);

  /** What the comment of every database a restore creates starts with. */
  static final String MARKER = "runbooks restore of ";

  /** A comparison reports at most this many differences, then how many more there were. */
  static final int MAX_DIFFERENCES = 100;

  private static final int BUFFER = 64 * 1024;

  private final TargetConnections connections;
  private final BackupTargets targets;
  private final KeyEncryptionKey kek;
  private final PgTool tools;
  private final Clock clock;
  private final BackupCipher cipher = new BackupCipher();

  public RestoreActivitiesImpl(
      TargetConnections connections,
      BackupTargets targets,
      KeyEncryptionKey kek,
      PgBinaries binaries,
      Clock clock) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.targets = Objects.requireNonNull(targets, "targets");
    this.kek = Objects.requireNonNull(kek, "kek");
    this.tools = new PgTool(Objects.requireNonNull(binaries, "binaries"));
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  @Override
  public String resolveBackup(DrillRequest request) {
    String target = request.runbook().target();
    BackupRepository repository = targets.repository(target);
    String context = "choosing a backup of target " + target;
    try {
      if (request.backupId() != null) {
        String id = BackupNames.backupId(request.backupId());
        StoredBackups.requireManifest(repository, target, id);
        return id;
      }
      for (StoredBackups.Stored s : StoredBackups.list(repository, target)) {
        if (s.complete()) {
          return s.id();
        }
      }
      throw FailureType.NOT_FOUND.failure(
          "target "
              + target
              + " has no complete backup in "
              + StoredBackups.location(repository, target)
              + ": take one with runbook backup --target "
              + target);
    } catch (PermanentBackupException e) {
      throw Faults.permanent(context, e);
    } catch (IOException e) {
      throw Faults.transientFault(context, repository, e);
    }
  }

  @Override
  public RestoreOutcome restoreBackup(RestoreInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String database = BackupNames.restoreDatabase(input.database());
    String context = "restore of backup " + id + " of target " + target + " into " + database;
    BackupRepository repository = targets.repository(target);
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, database, target);
    try {
      BackupManifest manifest = StoredBackups.requireManifest(repository, target, id);
      checkStoredSize(repository, manifest, context);
      long started = System.nanoTime();
      try (InputStream download = repository.open(BackupLayout.dumpKey(target, id))) {
        HashingInputStream ciphertext = new HashingInputStream(download);
        // Unwraps the data key first: a wrong key-encryption key fails here, before any database
        // is created.
        InputStream decrypting =
            cipher.decrypt(
                ciphertext, manifest.wrappedKey(), kek, BackupLayout.associatedData(target, id));
        HashingInputStream plaintext = new HashingInputStream(decrypting);
        prepareDatabase(target, spec, database, input, context);
        try {
          restore(plaintext, spec.withDatabase(database), manifest, context);
          checkDigests(ciphertext, plaintext, manifest, context);
        } catch (RuntimeException | IOException e) {
          dropAfterFailure(input, database, context);
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
    } catch (PermanentBackupException e) {
      throw Faults.permanent(context, e);
    } catch (IOException e) {
      throw Faults.transientFault(context, repository, e);
    }
  }

  @Override
  public Comparison compareWithManifest(RestoreInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String database = BackupNames.restoreDatabase(input.database());
    String context = "comparison of " + database + " with backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    try {
      BackupManifest manifest = StoredBackups.requireManifest(repository, target, id);
      Inventory.Contents restored;
      try (Connection c = connections.primary(target, database);
          Heartbeat heartbeat = Heartbeat.start("compare", manifest.rowCounts().size(), "tables")) {
        c.setAutoCommit(false);
        try (Statement s = c.createStatement()) {
          s.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
        }
        restored =
            Inventory.read(
                c,
                tables -> {
                  heartbeat.set(tables);
                  heartbeat.check();
                });
        c.rollback();
      } catch (SQLException e) {
        if (Faults.NO_SUCH_DATABASE.equals(e.getSQLState())) {
          throw FailureType.NOT_FOUND.failure(
              context
                  + ": the database "
                  + database
                  + " does not exist: restore the backup into it first (restoreBackup)");
        }
        throw Faults.transientFault(context, e);
      }
      List<String> differences = differences(manifest, restored);
      long rows = manifest.rowCounts().values().stream().mapToLong(Long::longValue).sum();
      log.info(
          "{}: {} tables, {} rows, {} differences",
          context,
          manifest.rowCounts().size(),
          rows,
          differences.size());
      return new Comparison(manifest.rowCounts().size(), rows, differences);
    } catch (PermanentBackupException e) {
      throw Faults.permanent(context, e);
    } catch (IOException e) {
      throw Faults.transientFault(context, repository, e);
    }
  }

  /**
   * Drops the database if it exists and a restore created it. A database without a restore's
   * comment is left alone and logged: that is what keeps an incident restore's compensation from
   * dropping a database that was there before.
   */
  @Override
  public void dropRestoredDatabase(RestoreInput input) {
    String target = input.target();
    String database = BackupNames.restoreDatabase(input.database());
    ConnectionSpec spec = connections.connectionSpec(target);
    refuseTargetDatabase(spec, database, target);
    String context = "dropping restored database " + database + " of target " + target;
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isEmpty()) {
        log.info("{}: it does not exist", context);
        return;
      }
      if (!ours(comment.get(), input)) {
        log.warn("{}: left alone, this restore did not create it ({})", context, comment.get());
        return;
      }
      drop(c, database);
      log.info("{}: dropped", context);
    } catch (SQLException e) {
      throw Faults.transientFault(context + " on " + spec.address(), e);
    }
  }

  @Override
  public void recordDrillVerdict(DrillVerdictInput input) {
    String target = input.target();
    String id = BackupNames.backupId(input.backupId());
    String context = "recording the drill verdict of backup " + id + " of target " + target;
    BackupRepository repository = targets.repository(target);
    try {
      StoredBackups.requireManifest(repository, target, id);
      DrillVerdict verdict =
          new DrillVerdict(
              id,
              input.passed(),
              input.differences(),
              input.restoreDuration() == null ? Duration.ZERO : input.restoreDuration(),
              clock.instant(),
              input.drillWorkflowId(),
              true);
      repository.put(
          BackupLayout.verdictKey(target, id),
          BackupManifests.toJson(verdict).getBytes(StandardCharsets.UTF_8));
      log.info("{}: {}", context, input.passed() ? "passed" : "failed");
    } catch (PermanentBackupException e) {
      throw Faults.permanent(context, e);
    } catch (IOException e) {
      throw Faults.transientFault(context, repository, e);
    }
  }

  // ---- restoring

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
      HashingInputStream plaintext, ConnectionSpec spec, BackupManifest manifest, String context)
      throws IOException {
    List<String> args =
        List.of("--exit-on-error", "--no-password", PgTool.dbnameArgument(spec.database()));
    try (Heartbeat heartbeat = Heartbeat.start("restore", manifest.archiveBytes(), "bytes");
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
          heartbeat.add(n);
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
      int exit = waitFor(pgRestore, heartbeat);
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

  private static int waitFor(PgTool.Running tool, Heartbeat heartbeat) {
    try {
      while (true) {
        heartbeat.check();
        Integer exit = tool.waitFor(Heartbeat.INTERVAL.toMillis());
        if (exit != null) {
          return exit;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new TransientBackupException("interrupted waiting for " + tool.tool(), e);
    }
  }

  /**
   * Creates the database, empty (from template0) and marked as this restore's. One that exists is
   * re-created only when an earlier attempt of this very restore made it.
   */
  private void prepareDatabase(
      String target, ConnectionSpec spec, String database, RestoreInput input, String context) {
    String marker = marker(input);
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isPresent()) {
        if (!ours(comment.get(), input)) {
          throw FailureType.BAD_INPUT.failure(
              context
                  + ": the database "
                  + database
                  + " already exists on "
                  + spec.address()
                  + (comment.get().startsWith(MARKER)
                      ? " (made by another restore: " + comment.get() + ")"
                      : "")
                  + " and a restore never overwrites a database: choose a new name, or drop "
                  + database
                  + " yourself if you are sure it is not needed");
        }
        log.info("{}: re-creating {}, left by an earlier attempt", context, database);
        drop(c, database);
      }
      try (Statement s = c.createStatement()) {
        s.execute("CREATE DATABASE " + Inventory.identifier(database) + " TEMPLATE template0");
        s.execute(
            "COMMENT ON DATABASE " + Inventory.identifier(database) + " IS " + literal(marker));
      }
    } catch (SQLException e) {
      throw Faults.transientFault(context + ": creating the database on " + spec.address(), e);
    }
  }

  /** The comment that marks a database as made by this restore (this backup, this call). */
  private static String marker(RestoreInput input) {
    return MARKER
        + input.target()
        + " backup "
        + input.backupId()
        + " ("
        + input.idempotencyKey()
        + ")";
  }

  /**
   * Whether this restore made the database. Only then may it be dropped or re-created: another
   * restore's database may be the one clients already use in an incident.
   */
  private static boolean ours(String comment, RestoreInput input) {
    return comment.equals(marker(input));
  }

  private void dropAfterFailure(RestoreInput input, String database, String context) {
    String target = input.target();
    ConnectionSpec spec = connections.connectionSpec(target);
    try (Connection c = openPrimary(target, spec, context)) {
      Optional<String> comment = databaseComment(c, database);
      if (comment.isPresent() && ours(comment.get(), input)) {
        drop(c, database);
        log.info("{}: dropped the half-restored database", context);
      }
    } catch (SQLException | RuntimeException e) {
      log.warn(
          "{}: could not drop the half-restored database {}: {}; dropRestoredDatabase will",
          context,
          database,
          e.toString());
    }
  }

  private Connection openPrimary(String target, ConnectionSpec spec, String context) {
    try {
      return connections.primary(target);
    } catch (SQLException e) {
      throw Faults.transientFault(context + ": connecting to " + spec.address(), e);
    }
  }

  private static Optional<String> databaseComment(Connection c, String database)
      throws SQLException {
    try (PreparedStatement s =
        c.prepareStatement(
            "SELECT coalesce(shobj_description(oid, 'pg_database'), '')"
                + " FROM pg_database WHERE datname = ?")) {
      s.setString(1, database);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static void drop(Connection c, String database) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("DROP DATABASE IF EXISTS " + Inventory.identifier(database) + " WITH (FORCE)");
    }
  }

  /** Never the target's own database: a drill or restore writes only into new databases. */
  private static void refuseTargetDatabase(ConnectionSpec spec, String database, String target) {
    if (spec.database().equals(database)) {
      throw FailureType.BAD_INPUT.failure(
          "the database "
              + database
              + " is target "
              + target
              + "'s own database: a restore never writes into it nor drops it. Restore into a"
              + " new database, such as "
              + database
              + "_restored");
    }
  }

  /** A SQL string literal, right whatever standard_conforming_strings says. */
  static String literal(String text) {
    return "E'" + text.replace("\\", "\\\\").replace("'", "''") + "'";
  }

  // ---- comparing

  static List<String> differences(BackupManifest manifest, Inventory.Contents restored) {
    List<String> all = new ArrayList<>();
    Map<String, Long> expected = manifest.rowCounts();
    Map<String, Long> found = restored.rowCounts();
    for (Map.Entry<String, Long> e : expected.entrySet()) {
      Long after = found.get(e.getKey());
      if (after == null) {
        all.add(
            "table "
                + e.getKey()
                + ": in the backup ("
                + e.getValue()
                + " rows) but missing after the restore");
      } else if (!after.equals(e.getValue())) {
        all.add(
            "table "
                + e.getKey()
                + ": "
                + e.getValue()
                + " rows in the backup, "
                + after
                + " after the restore");
      }
    }
    for (String table : new TreeSet<>(found.keySet())) {
      if (!expected.containsKey(table)) {
        all.add("table " + table + ": after the restore but not in the backup");
      }
    }
    Set<String> before = new TreeSet<>(manifest.objects());
    Set<String> after = new TreeSet<>(restored.objects());
    for (String object : before) {
      if (!after.contains(object)) {
        all.add("missing after the restore: " + object);
      }
    }
    for (String object : after) {
      if (!before.contains(object)) {
        all.add("not in the backup: " + object);
      }
    }
    if (all.size() <= MAX_DIFFERENCES) {
      return all;
    }
    List<String> cut = new ArrayList<>(all.subList(0, MAX_DIFFERENCES));
    cut.add("... and " + (all.size() - MAX_DIFFERENCES) + " more differences");
    return cut;
  }
}
