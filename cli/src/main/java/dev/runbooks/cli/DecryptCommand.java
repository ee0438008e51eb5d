package dev.runbooks.cli;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifest;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingInputStream;
import dev.runbooks.activities.backup.crypto.KeyEncryptionKey;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.crypto.WrongKeyException;
import dev.runbooks.activities.backup.repository.BackupRepositories;
import dev.runbooks.activities.backup.repository.BackupRepository;
import dev.runbooks.activities.backup.repository.ObjectNotFoundException;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.worker.Activities;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/**
 * The manual half of a restore, for when Temporal or the workers are down: reads a backup straight
 * from the repository, checks it against its manifest and decrypts it into a {@code pg_dump -Fc}
 * file that {@code pg_restore} reads. Needs no Temporal, only the configuration, the repository and
 * the key.
 */
@Command(
    name = "decrypt",
    mixinStandardHelpOptions = true,
    description = {
      "Decrypts a backup into a pg_dump custom-format file, without Temporal or a worker: for"
          + " restoring by hand when the automation is down. Reads the repository and key the"
          + " configuration names.",
      "The file appears only once its SHA-256 and the stored object's both match the manifest;"
          + " a corrupted or truncated backup exits 1 and leaves nothing behind."
    },
    footerHeading = "%nExample:%n",
    footer = {
      "  runbook decrypt --target orders --backup 20260124T020000Z-1a2b \\",
      "      --out /restore/orders.dump",
      "  createdb orders_restored",
      "  pg_restore --no-owner -j 4 -d orders_restored /restore/orders.dump"
    })
final class DecryptCommand implements Callable<Integer> {
  /** What backup IDs look like ({@code 20261124T020000Z-1a2b}): never a path. */
  @Spec CommandSpec spec;

  @ParentCommand RunbookCommand root;
  @Mixin ConfigOption configOption;
  @Mixin OutputOption output;

  @Mixin TargetOption target;

  @Option(
      names = "--backup",
      required = true,
      paramLabel = "ID",
      description = "The backup's ID ('runbook backups' lists them; so does the repository).")
  String backupId;

  @Option(
      names = "--out",
      required = true,
      paramLabel = "FILE",
      description = "Where to write the dump; must not exist. Mode 0600: it holds the data.")
  Path out;

  @Override
  public Integer call() throws IOException {
    RunbooksConfig config = configOption.loadConfig(root.env());
    config.target(target.name());
    if (config.repository() == null) {
      throw new UsageException(
          "no backup repository is configured in "
              + config.file()
              + ": set repository: to where the backups are (file:///DIR or s3://BUCKET/PREFIX).");
    }
    BackupRuns.checkBackupId(backupId, target.name());
    if (Files.exists(out)) {
      throw new UsageException("--out " + out + " exists: give a new file, or remove it first.");
    }
    Path dir = out.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageException("--out " + out + ": the directory " + dir + " does not exist.");
    }
    KeyEncryptionKey kek = kek(config);
    PrintWriter text = spec.commandLine().getOut();
    try (BackupRepository repository = openRepository(config, root.env())) {
      BackupManifest manifest = manifest(repository);
      if (!manifest.target().equals(target.name()) || !manifest.id().equals(backupId)) {
        throw new PermanentBackupException(
            FailureType.CORRUPTED_BACKUP,
            "the manifest at "
                + BackupLayout.manifestKey(target.name(), backupId)
                + " describes backup "
                + manifest.id()
                + " of "
                + manifest.target()
                + ", not "
                + backupId
                + " of "
                + target.name()
                + ": the repository was rearranged; use another backup");
      }
      Path partial = Files.createTempFile(dir, "." + out.getFileName() + "-", ".partial");
      try {
        Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // Not a POSIX file system: the directory's own permissions protect the file.
      }
      try {
        Digest[] digests = decrypt(repository, manifest, kek, partial);
        String problem = mismatch(manifest, digests[0], digests[1]);
        if (problem != null) {
          throw new PermanentBackupException(FailureType.CHECKSUM_MISMATCH, problem);
        }
        Files.move(partial, out, StandardCopyOption.ATOMIC_MOVE);
      } finally {
        Files.deleteIfExists(partial);
      }
      if (output.json()) {
        text.println(Json.write(json(manifest)));
      } else {
        text.println(
            "Decrypted backup "
                + backupId
                + " of "
                + target.name()
                + " (database "
                + manifest.database()
                + ", taken "
                + Text.time(manifest.finishedAt())
                + ") into "
                + out
                + ": "
                + Text.amount(manifest.archiveBytes(), "bytes")
                + "; its SHA-256 and the stored object's match the manifest.");
        text.println(
            "Restore it into a new database (pg_restore " + manifest.pgDumpVersion() + "+):");
        text.println("  createdb -h HOST -p PORT -U USER " + manifest.database() + "_restored");
        text.println(
            "  pg_restore -h HOST -p PORT -U USER --no-owner -j 4 -d "
                + manifest.database()
                + "_restored "
                + out);
      }
      return ExitCodes.DONE;
    } catch (WrongKeyException e) {
      throw new UsageException(e.getMessage());
    } catch (PermanentBackupException e) {
      spec.commandLine().getErr().println("runbook decrypt: " + e.getMessage());
      return ExitCodes.RUNBOOK_FAILED;
    }
  }

  private Map<String, Object> json(BackupManifest manifest) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("backupId", backupId);
    json.put("target", target.name());
    json.put("database", manifest.database());
    json.put("taken", manifest.finishedAt());
    json.put("file", out.toAbsolutePath().toString());
    json.put("bytes", manifest.archiveBytes());
    json.put("pgDumpVersion", manifest.pgDumpVersion());
    return json;
  }

  /** The plaintext and the stored object's digests. */
  private Digest[] decrypt(
      BackupRepository repository, BackupManifest manifest, KeyEncryptionKey kek, Path file)
      throws IOException {
    BackupCipher.warmUp();
    try (InputStream stored = repository.open(BackupLayout.dumpKey(target.name(), backupId));
        HashingInputStream ciphertext = new HashingInputStream(stored);
        HashingInputStream plaintext =
            new HashingInputStream(
                new BackupCipher()
                    .decrypt(
                        ciphertext,
                        manifest.wrappedKey(),
                        kek,
                        BackupLayout.associatedData(target.name(), backupId)));
        InputStream archive = manifest.dumpCompression().decompressing(plaintext);
        OutputStream sink = Files.newOutputStream(file)) {
      archive.transferTo(sink);
      sink.flush();
      return new Digest[] {plaintext.drain(), ciphertext.drain()};
    }
  }

  private static String mismatch(BackupManifest manifest, Digest plaintext, Digest ciphertext) {
    if (ciphertext.bytes() != manifest.ciphertextBytes()
        || !ciphertext.sha256().equals(manifest.ciphertextSha256())) {
      return "the stored object has "
          + ciphertext.bytes()
          + " bytes with SHA-256 "
          + ciphertext.sha256()
          + " but the manifest says "
          + manifest.ciphertextBytes()
          + " bytes with "
          + manifest.ciphertextSha256()
          + ": the backup is corrupted; use another backup";
    }
    if (plaintext.bytes() != manifest.plaintextBytes()
        || !plaintext.sha256().equals(manifest.plaintextSha256())) {
      return "the decrypted dump has "
          + plaintext.bytes()
          + " bytes with SHA-256 "
          + plaintext.sha256()
          + " but the manifest says "
          + manifest.plaintextBytes()
          + " bytes with "
          + manifest.plaintextSha256()
          + ": the backup is corrupted; use another backup";
    }
    return null;
  }

  private BackupManifest manifest(BackupRepository repository) throws IOException {
    byte[] json;
    try {
      json = repository.get(BackupLayout.manifestKey(target.name(), backupId));
    } catch (ObjectNotFoundException e) {
      throw new UsageException(
          "backup "
              + backupId
              + " of "
              + target.name()
              + " has no manifest in "
              + repository.describe()
              + ": it does not exist, or is incomplete and cannot be restored. 'runbook backups"
              + " --target "
              + target.name()
              + "' lists the complete ones.");
    }
    return BackupManifests.fromJson(new String(json, StandardCharsets.UTF_8));
  }

  /** The configured repository; a problem with its configuration is a usage error. */
  static BackupRepository openRepository(RunbooksConfig config, Map<String, String> env) {
    try {
      return BackupRepositories.open(config.repository(), env);
    } catch (IllegalArgumentException e) {
      throw new UsageException(e.getMessage() + "; fix repository: in " + config.file() + ".");
    } catch (UncheckedIOException e) {
      throw new UsageException(
          "the repository " + config.repository().uri() + ": " + e.getMessage());
    }
  }

  /** The configured key; a missing keyset file is an error here, never made anew. */
  private static KeyEncryptionKey kek(RunbooksConfig config) {
    EncryptionSpec spec = Activities.encryption(config);
    if (spec instanceof EncryptionSpec.LocalKeyset local) {
      Path file = local.file();
      if (!Files.isRegularFile(file)) {
        throw new UsageException(
            "the backup key file "
                + file
                + " does not exist: restore it from your copy (without it no backup can be"
                + " read), or point encryption: in "
                + config.file()
                + " at it.");
      }
      try {
        return LocalKeysetKek.open(file);
      } catch (PermanentBackupException e) {
        throw new UsageException(e.getMessage());
      }
    }
    throw new UsageException(
        "decrypt reads backups encrypted with local-keyset: keys; "
            + spec.uri()
            + " is not one. With Vault transit, run 'runbook restore' on a worker that reaches"
            + " Vault.");
  }
}
