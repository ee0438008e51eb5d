package dev.runbooks.activities.backup.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileRepositoryTest {
  private static final String KEY = "orders/20261124T020000/dump.enc";

  private static final Set<PosixFilePermission> ALL = PosixFilePermissions.fromString("rwxrwxrwx");

  @TempDir Path dir;
  private Path root;
  private FileRepository repository;

  @BeforeEach
  void setUp() {
    root = dir.resolve("backups");
    repository = (FileRepository) BackupRepositories.open(root.toUri().toString());
  }

  @Test
  void anObjectAppearsOnlyWhenCommitted() throws IOException {
    try (BackupUpload upload = repository.create(KEY)) {
      upload.write(bytes("first half, "));
      assertFalse(repository.exists(KEY));
      assertEquals(List.of(), repository.list("orders/"));
      upload.write(bytes("second half"));
      assertEquals(23, upload.bytesWritten());
      upload.commit();
    }
    assertTrue(repository.exists(KEY));
    assertEquals(Optional.of(23L), repository.size(KEY));
    try (InputStream in = repository.open(KEY)) {
      assertEquals(
          "first half, second half", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    assertEquals(List.of(KEY), filesUnder(root));
  }

  @Test
  void objectsAreOwnerOnlyWhateverTheParentAllows() throws IOException {
    Files.createDirectories(root, PosixFilePermissions.asFileAttribute(ALL));
    Files.setPosixFilePermissions(root, ALL);

    try (BackupUpload upload = repository.create(KEY)) {
      upload.write(bytes("ciphertext"));
      upload.commit();
    }
    repository.put("orders/20261124T020000/manifest.json", bytes("{}"));
    repository.put("orders/20261124T020000/verdict.json", bytes("{}"));

    for (String file : List.of("dump.enc", "manifest.json", "verdict.json")) {
      assertEquals(
          "rw-------", mode(root.resolve("orders/20261124T020000/" + file)), file + " mode");
    }
    assertEquals("rwx------", mode(root.resolve("orders")));
    assertEquals("rwx------", mode(root.resolve("orders/20261124T020000")));
  }

  @Test
  void aRewrittenVerdictIsOwnerOnlyAgain() throws IOException {
    Path backup = Files.createDirectories(root.resolve("orders/1"));
    Files.setPosixFilePermissions(root.resolve("orders"), ALL);
    Files.setPosixFilePermissions(backup, ALL);
    Path verdict = Files.writeString(backup.resolve("verdict.json"), "{\"passed\": true}");
    Files.setPosixFilePermissions(verdict, PosixFilePermissions.fromString("rw-rw-rw-"));

    repository.put("orders/1/verdict.json", bytes("{\"passed\": false}"));

    assertEquals("rw-------", mode(verdict));
    assertEquals("rwx------", mode(backup));
    assertEquals("rwx------", mode(root.resolve("orders")));
  }

  @Test
  void aRepositoryItCreatesIsOwnerOnly() throws IOException {
    Files.setPosixFilePermissions(dir, ALL);
    repository.put("orders/1/manifest.json", bytes("{}"));
    assertEquals("rwx------", mode(root));
  }

  @Test
  void listsWhileUploadsCommitAndObjectsAreDeletedBesideIt() throws Exception {
    // The WAL archiver commits and deletes objects every second while status, the base backup's
    // completion and the PITR plan list them: a file gone between the directory read and its
    // attributes was a NoSuchFileException out of list().
    String prefix = "orders/wal/00000001/";
    AtomicBoolean done = new AtomicBoolean();
    AtomicReference<Exception> writerFailed = new AtomicReference<>();
    Thread writer =
        new Thread(
            () -> {
              try {
                for (int i = 0; i < 400 && !done.get(); i++) {
                  repository.put(prefix + "seg" + i + ".partial", bytes("partial " + i));
                  if (i > 0) {
                    repository.delete(prefix + "seg" + (i - 1) + ".partial");
                  }
                }
              } catch (IOException | RuntimeException e) {
                writerFailed.set(e);
              } finally {
                done.set(true);
              }
            });
    writer.start();
    int lists = 0;
    try {
      while (!done.get()) {
        for (String key : repository.list(prefix)) {
          assertTrue(key.startsWith(prefix) && key.endsWith(".partial"), key);
        }
        lists++;
      }
    } finally {
      done.set(true);
      writer.join();
    }
    assertEquals(null, writerFailed.get());
    assertTrue(lists > 0);
  }

  @Test
  void abortLeavesNothing() throws IOException {
    BackupUpload upload = repository.create(KEY);
    upload.write(new byte[300_000]);
    upload.abort();
    upload.abort();
    assertThrows(IOException.class, () -> upload.write(1));
    assertFalse(repository.exists(KEY));
    assertEquals(List.of(), filesUnder(root));
  }

  @Test
  void closingWithoutCommitLeavesNothing() throws IOException {
    repository.put("orders/earlier/manifest.json", bytes("{}"));
    assertThrows(
        IllegalStateException.class,
        () -> {
          try (BackupUpload upload = repository.create(KEY)) {
            upload.write(new byte[300_000]);
            throw new IllegalStateException("pg_dump exited with 1");
          }
        });
    assertEquals(List.of("orders/earlier/manifest.json"), filesUnder(root));
  }

  @Test
  void aCommitReplacesAnEarlierAttemptWhole() throws IOException {
    repository.put(KEY, bytes("attempt 1"));
    repository.put(KEY, bytes("attempt 2"));
    assertArrayEquals(bytes("attempt 2"), repository.get(KEY));
    assertEquals(List.of(KEY), filesUnder(root));
  }

  @Test
  void aMissingKeyIsNotFoundNamingKeyAndRepository() throws IOException {
    ObjectNotFoundException e =
        assertThrows(ObjectNotFoundException.class, () -> repository.open(KEY));
    assertTrue(e.getMessage().contains(KEY), e.getMessage());
    assertTrue(e.getMessage().contains(repository.describe()), e.getMessage());
    assertEquals(FailureType.NOT_FOUND, e.type());
    assertThrows(ObjectNotFoundException.class, () -> repository.get(KEY));
    assertEquals(Optional.empty(), repository.size(KEY));
    assertFalse(repository.exists(KEY));
    repository.delete(KEY);
  }

  @Test
  void listsCommittedKeysUnderAPrefixSorted() throws IOException {
    repository.put("orders/2/manifest.json", bytes("{}"));
    repository.put("orders/1/manifest.json", bytes("{}"));
    repository.put("orders/1/dump.enc", bytes("x"));
    repository.put("ordersarchive/1/dump.enc", bytes("x"));
    repository.put("billing/1/dump.enc", bytes("x"));
    BackupUpload running = repository.create("orders/3/dump.enc");
    running.write(1);

    assertEquals(
        List.of("orders/1/dump.enc", "orders/1/manifest.json", "orders/2/manifest.json"),
        repository.list("orders/"));
    assertEquals(
        List.of(
            "orders/1/dump.enc",
            "orders/1/manifest.json",
            "orders/2/manifest.json",
            "ordersarchive/1/dump.enc"),
        repository.list("orders"));
    assertEquals(List.of("orders/1/dump.enc"), repository.list("orders/1/d"));
    assertEquals(5, repository.list("").size());
    assertEquals(List.of(), repository.list("nothing/"));
    running.abort();
  }

  @Test
  void deletingTheLastObjectOfABackupRemovesItsDirectory() throws IOException {
    repository.put("orders/1/dump.enc", bytes("x"));
    repository.put("orders/1/manifest.json", bytes("{}"));
    repository.put("orders/2/manifest.json", bytes("{}"));
    repository.delete("orders/1/dump.enc");
    repository.delete("orders/1/manifest.json");
    assertFalse(Files.exists(root.resolve("orders/1")));
    assertTrue(Files.exists(root.resolve("orders/2/manifest.json")));
  }

  @Test
  void cleanupRemovesTheTemporaryFilesOfCrashedUploads() throws IOException {
    BackupUpload crashed = repository.create(KEY);
    crashed.write(new byte[100_000]);
    crashed.flush();
    BackupUpload elsewhere = repository.create("billing/1/dump.enc");
    elsewhere.write(1);
    elsewhere.flush();
    repository.put("orders/20261124T020000/manifest.json", bytes("{}"));
    Path temp = onlyTempFileIn(root.resolve("orders/20261124T020000"));
    Files.setLastModifiedTime(temp, FileTime.from(Instant.parse("2026-01-01T00:00:00Z")));

    // Younger than the cutoff: perhaps still running, so left alone.
    assertEquals(0, repository.cleanupIncomplete("orders/", Instant.parse("2025-12-31T00:00:00Z")));
    assertTrue(Files.exists(temp));

    assertEquals(1, repository.cleanupIncomplete("orders/20261124T020000/dump"));
    assertFalse(Files.exists(temp));
    assertTrue(repository.exists("orders/20261124T020000/manifest.json"));
    assertEquals(1, repository.cleanupIncomplete("billing/"));
    assertEquals(List.of("orders/20261124T020000/manifest.json"), filesUnder(root));
  }

  @Test
  void getRefusesALargeObject() throws IOException {
    repository.put(KEY, bytes("x"));
    try (RandomAccessFile f = new RandomAccessFile(root.resolve(KEY).toFile(), "rw")) {
      f.setLength(BackupRepository.MAX_SMALL_OBJECT + 1L);
    }
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> repository.get(KEY));
    assertTrue(e.getMessage().contains("open()"), e.getMessage());
  }

  @Test
  void refusesKeysThatLeaveTheRepository() {
    for (String bad :
        List.of("../etc/passwd", "/etc/passwd", "orders//dump", "orders/./x", "", "a/")) {
      assertThrows(IllegalArgumentException.class, () -> repository.create(bad), bad);
      assertThrows(IllegalArgumentException.class, () -> repository.open(bad), bad);
    }
    assertThrows(IllegalArgumentException.class, () -> repository.list("../"));
  }

  @Test
  void describesItselfAsAFileUri() {
    assertEquals(root.toUri().toString(), repository.describe());
    assertThrows(
        IllegalArgumentException.class, () -> BackupRepositories.open("file:relative/dir"));
    assertThrows(
        IllegalArgumentException.class, () -> BackupRepositories.open("ftp://host/backups"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static Path onlyTempFileIn(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> temps =
          files.filter(p -> p.getFileName().toString().endsWith(".incomplete")).toList();
      assertEquals(1, temps.size(), temps.toString());
      return temps.get(0);
    }
  }

  /** Every file below {@code root}, hidden ones included, as relative paths. */
  private static List<String> filesUnder(Path root) throws IOException {
    if (!Files.exists(root)) {
      return List.of();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(Files::isRegularFile)
          .map(p -> root.relativize(p).toString())
          .sorted()
          .toList();
    }
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }
}
