package dev.runbooks.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.BackupLayout;
import dev.runbooks.activities.backup.BackupManifest;
import dev.runbooks.activities.backup.BackupManifests;
import dev.runbooks.activities.backup.DumpCompression;
import dev.runbooks.activities.backup.crypto.BackupCipher;
import dev.runbooks.activities.backup.crypto.DataKey;
import dev.runbooks.activities.backup.crypto.Digest;
import dev.runbooks.activities.backup.crypto.HashingOutputStream;
import dev.runbooks.activities.backup.crypto.LocalKeysetKek;
import dev.runbooks.activities.backup.repository.BackupUpload;
import dev.runbooks.activities.backup.repository.FileRepository;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code decrypt}: a backup written as the backup activity writes it (envelope-encrypted stream,
 * manifest last) comes back byte for byte, and a damaged one leaves nothing behind.
 */
class DecryptCommandTest {
  private static final String TARGET = "orders";
  private static final String ID = "20260124T020000Z-1a2b";

  @TempDir Path dir;

  private Path repository;
  private Path keyset;
  private Path config;
  private byte[] dump;
  private final Cli cli = new Cli(Cli.isolatedEnv());

  @BeforeEach
  void storeABackup() throws IOException {
    repository = dir.resolve("backups");
    keyset = dir.resolve("keys/backup-keyset.json");
    config =
        Files.writeString(
            dir.resolve("runbooks.yaml"),
            "targets:\n"
                + "  orders: { primary: { database: orders }, admin: { user: postgres } }\n"
                + "repository: file://"
                + repository
                + "\nencryption: local-keyset:"
                + keyset
                + "\n");
    // Three segments and a bit: the stream's segment boundaries are crossed.
    dump = new byte[3 * 1024 * 1024 + 12345];
    new Random(42).nextBytes(dump);
    store(LocalKeysetKek.open(keyset), dump);
  }

  private void store(LocalKeysetKek kek, byte[] plaintext) throws IOException {
    FileRepository repo = new FileRepository(repository);
    BackupCipher cipher = new BackupCipher();
    DataKey key = cipher.newDataKey(kek);
    Instant started = Instant.parse("2026-01-24T02:00:00Z");
    Digest ciphertext;
    Digest plain;
    try (BackupUpload upload = repo.create(BackupLayout.dumpKey(TARGET, ID));
        HashingOutputStream stored = new HashingOutputStream(upload)) {
      HashingOutputStream hashed;
      try (OutputStream encrypting =
          cipher.encrypt(stored, key, BackupLayout.associatedData(TARGET, ID))) {
        hashed = new HashingOutputStream(encrypting);
        hashed.write(plaintext);
        hashed.flush();
      }
      plain = hashed.digest();
      ciphertext = stored.digest();
      upload.commit();
    }
    BackupManifest manifest =
        new BackupManifest(
            BackupManifest.FORMAT_VERSION,
            ID,
            TARGET,
            "orders",
            "15.8",
            "pg_dump (PostgreSQL) 15.8",
            started,
            started.plusSeconds(42),
            DumpCompression.PG_DUMP.manifestName(),
            plain.bytes(),
            plain.bytes(),
            plain.sha256(),
            ciphertext.bytes(),
            ciphertext.sha256(),
            key.wrapped(),
            Map.of("public.orders", 5000L),
            List.of("TABLE public orders postgres"),
            2);
    repo.put(
        BackupLayout.manifestKey(TARGET, ID),
        BackupManifests.toJson(manifest).getBytes(StandardCharsets.UTF_8));
  }

  private Cli.Result decrypt(Path out) {
    return cli.run(
        "decrypt",
        "--target",
        TARGET,
        "--backup",
        ID,
        "--out",
        out.toString(),
        "--config",
        config.toString());
  }

  private List<Path> filesIn(Path d) throws IOException {
    try (Stream<Path> files = Files.list(d)) {
      return files.toList();
    }
  }

  @Test
  void decryptsAsJsonForScripts() throws IOException {
    Path out = dir.resolve("json/orders.dump");
    Files.createDirectories(out.getParent());
    Cli.Result result =
        cli.run(
            "decrypt",
            "--target",
            TARGET,
            "--backup",
            ID,
            "--out",
            out.toString(),
            "--config",
            config.toString(),
            "-o",
            "json");
    assertEquals(0, result.code(), result.toString());
    Schemas.assertValid("decrypt", result);
    assertArrayEquals(dump, Files.readAllBytes(out));
  }

  @Test
  void decryptsTheBackupIntoTheDumpItWasAndSaysHowToRestoreIt() throws IOException {
    Path out = dir.resolve("restore/orders.dump");
    Files.createDirectories(out.getParent());
    Cli.Result result = decrypt(out);
    assertEquals(0, result.code(), result.toString());
    assertArrayEquals(dump, Files.readAllBytes(out));
    assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(out));
    assertTrue(result.out().contains("Decrypted backup " + ID + " of orders"), result.out());
    assertTrue(result.out().contains("match the manifest"), result.out());
    assertTrue(result.out().contains("pg_restore"), result.out());
    assertEquals(List.of(out), filesIn(out.getParent()));

    Cli.Result again = decrypt(out);
    assertEquals(2, again.code(), again.toString());
    assertTrue(again.err().contains("exists"), again.toString());
  }

  @Test
  void aFlippedByteExitsOneAndLeavesNoFile() throws IOException {
    Path stored = repository.resolve(BackupLayout.dumpKey(TARGET, ID));
    try (RandomAccessFile file = new RandomAccessFile(stored.toFile(), "rw")) {
      file.seek(2 * 1024 * 1024 + 7);
      int b = file.read();
      file.seek(2 * 1024 * 1024 + 7);
      file.write(b ^ 0x01);
    }
    Path out = dir.resolve("orders.dump");
    Cli.Result result = decrypt(out);
    assertEquals(1, result.code(), result.toString());
    assertTrue(result.err().contains("corrupted"), result.toString());
    assertFalse(Files.exists(out));
    assertFalse(
        filesIn(dir).stream().anyMatch(p -> p.getFileName().toString().endsWith(".partial")),
        filesIn(dir).toString());
  }

  @Test
  void aTruncatedBackupExitsOne() throws IOException {
    Path stored = repository.resolve(BackupLayout.dumpKey(TARGET, ID));
    try (RandomAccessFile file = new RandomAccessFile(stored.toFile(), "rw")) {
      file.setLength(1024 * 1024);
    }
    Path out = dir.resolve("orders.dump");
    Cli.Result result = decrypt(out);
    assertEquals(1, result.code(), result.toString());
    assertFalse(Files.exists(out));
  }

  @Test
  void anotherKeyIsAConfigurationErrorNamingTheKeyTheBackupNeeds() throws IOException {
    Files.move(keyset, dir.resolve("the-right-keyset.json"));
    LocalKeysetKek other = LocalKeysetKek.open(keyset);
    Cli.Result result = decrypt(dir.resolve("orders.dump"));
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains(other.keyId()), result.toString());
    assertFalse(Files.exists(dir.resolve("orders.dump")));
  }

  @Test
  void aMissingKeyFileIsNotMadeAnew() throws IOException {
    Files.delete(keyset);
    Cli.Result result = decrypt(dir.resolve("orders.dump"));
    assertEquals(2, result.code(), result.toString());
    assertTrue(
        result.err().contains("does not exist: restore it from your copy"), result.toString());
    assertFalse(Files.exists(keyset), "decrypt must not create a new keyset");
  }

  @Test
  void anUnknownOrIncompleteBackupSaysWhereToLook() throws IOException {
    Files.delete(repository.resolve(BackupLayout.manifestKey(TARGET, ID)));
    Cli.Result result = decrypt(dir.resolve("orders.dump"));
    assertEquals(2, result.code(), result.toString());
    assertTrue(result.err().contains("has no manifest"), result.toString());
    assertTrue(result.err().contains("runbook backups --target orders"), result.toString());
  }
}
