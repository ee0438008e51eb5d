package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.runbooks.workflows.shared.SecretRef;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSecretStoreTest {
  private static final String PASSWORD = "correct-horse-battery-staple-7341";

  @TempDir Path dir;

  private static final Instant T0 = Instant.parse("2025-03-01T10:00:00Z");

  /** A clock that moves one minute on every reading. */
  private static final class TickingClock extends Clock {
    private Instant now = T0;

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public synchronized Instant instant() {
      Instant current = now;
      now = now.plus(Duration.ofMinutes(1));
      return current;
    }
  }

  private FileSecretStore store() {
    return new FileSecretStore(dir.resolve("secrets.json"), new TickingClock());
  }

  private static Map<String, String> admin(String password) {
    return Map.of("username", "runbooks_admin", "password", password);
  }

  @Test
  void keepsEveryVersionAndReadsTheLatestOrTheOneAskedFor() {
    FileSecretStore store = store();
    assertEquals(1, store.write("db/orders/admin", admin("one"), OptionalInt.empty()));
    assertEquals(2, store.write("db/orders/admin", admin("two"), OptionalInt.empty()));
    assertEquals(1, store.write("db/billing/admin", admin("other"), OptionalInt.empty()));

    Secret latest = store.read(SecretRef.parse("db/orders/admin"));
    assertEquals("db/orders/admin", latest.path());
    assertEquals(2, latest.version());
    assertEquals(admin("two"), latest.data());
    assertEquals("two", latest.require("password"));
    assertEquals(admin("one"), store.read(SecretRef.parse("db/orders/admin@1")).data());
    assertEquals(admin("other"), store.read(SecretRef.parse("db/billing/admin")).data());

    // A second store over the same file sees what the first wrote.
    assertEquals(
        2,
        new FileSecretStore(dir.resolve("secrets.json"))
            .read(SecretRef.parse("db/orders/admin"))
            .version());
  }

  @Test
  void describesVersionsWithTheirCreationTimes() {
    FileSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());

    SecretMetadata metadata = store.metadata("db/a");
    assertEquals("db/a", metadata.path());
    assertEquals(2, metadata.currentVersion());
    assertEquals(
        List.of(
            new SecretMetadata.Version(1, T0),
            new SecretMetadata.Version(2, T0.plus(Duration.ofMinutes(1)))),
        metadata.versions());
  }

  @Test
  void writesTheDocumentedJsonLayout() throws IOException {
    store().write("db/a", admin("x"), OptionalInt.empty());
    JsonNode root = new ObjectMapper().readTree(dir.resolve("secrets.json").toFile());
    JsonNode version = root.path("db/a").path("versions").path(0);
    assertEquals(1, version.path("version").asInt());
    assertEquals(T0.toString(), version.path("created").asText());
    assertEquals("x", version.path("data").path("password").asText());
    assertEquals("runbooks_admin", version.path("data").path("username").asText());
  }

  @Test
  void checkAndSetZeroCreatesOnlyWhenMissing() {
    FileSecretStore store = store();
    assertEquals(1, store.write("db/a", admin("1"), OptionalInt.of(0)));
    SecretConflictException e =
        assertThrows(
            SecretConflictException.class,
            () -> store.write("db/a", admin("2"), OptionalInt.of(0)));
    assertEquals("db/a", e.path());
    assertEquals(0, e.expected());
    assertEquals(1, e.actual());
    assertTrue(
        e.getMessage().contains("expected the secret not to exist, but version 1 is current"),
        e.getMessage());
    assertEquals(1, store.metadata("db/a").currentVersion());
  }

  @Test
  void checkAndSetRefusesAStaleVersionAndAcceptsTheCurrentOne() {
    FileSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());

    SecretConflictException stale =
        assertThrows(
            SecretConflictException.class,
            () -> store.write("db/a", admin("3"), OptionalInt.of(1)));
    assertEquals(1, stale.expected());
    assertEquals(2, stale.actual());
    assertTrue(stale.getMessage().contains("Fix: "), stale.getMessage());
    assertFalse(stale.getMessage().contains(PASSWORD));

    SecretConflictException missing =
        assertThrows(
            SecretConflictException.class,
            () -> store.write("db/new", admin("1"), OptionalInt.of(4)));
    assertEquals(0, missing.actual());

    assertEquals(3, store.write("db/a", admin("3"), OptionalInt.of(2)));
    assertEquals(admin("3"), store.read(SecretRef.parse("db/a")).data());
  }

  @Test
  void reportsMissingSecretsAndVersions() {
    FileSecretStore store = store();
    SecretNotFoundException noFile =
        assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals("db/a", noFile.path());
    assertNull(noFile.version());
    assertFalse(Files.exists(dir.resolve("secrets.json")), "reading must not create the file");

    store.write("db/a", admin(PASSWORD), OptionalInt.empty());
    assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse("db/b")));
    assertThrows(SecretNotFoundException.class, () -> store.metadata("db/b"));
    SecretNotFoundException noVersion =
        assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse("db/a@2")));
    assertEquals(2, noVersion.version());
    assertTrue(noVersion.getMessage().contains("its versions are [1]"), noVersion.getMessage());
    assertTrue(noVersion.getMessage().contains("db/a@1"), noVersion.getMessage());
    assertFalse(noVersion.getMessage().contains(PASSWORD));
  }

  @Test
  void refusesMalformedPaths() {
    FileSecretStore store = store();
    assertThrows(
        IllegalArgumentException.class,
        () -> store.write("../etc", admin("x"), OptionalInt.empty()));
    assertThrows(IllegalArgumentException.class, () -> store.metadata("/abs"));
    assertThrows(IllegalArgumentException.class, () -> store.read(new SecretRef("a//b", null)));
  }

  @Test
  void createsTheFileOwnerOnlyInADirectoryItCreatesOwnerOnly() throws IOException {
    Path file = dir.resolve("new/nested/secrets.json");
    new FileSecretStore(file).write("db/a", admin("x"), OptionalInt.empty());

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("new"))));
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(file.resolveSibling("secrets.json.lock"))));
  }

  @Test
  void keepsModeOwnerOnlyAcrossRewrites() throws IOException {
    FileSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("secrets.json"))));
  }

  @Test
  void refusesAFileThatGroupOrOthersCanRead() throws IOException {
    FileSecretStore store = store();
    store.write("db/a", admin(PASSWORD), OptionalInt.empty());
    Path file = dir.resolve("secrets.json");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    SecretStoreException read =
        assertThrows(SecretStoreException.class, () -> store.read(SecretRef.parse("db/a")));
    assertTrue(read.getMessage().contains(file.toString()), read.getMessage());
    assertTrue(read.getMessage().contains("mode 0644"), read.getMessage());
    assertTrue(read.getMessage().contains("Fix: chmod 600 " + file), read.getMessage());
    assertFalse(read.getMessage().contains(PASSWORD));

    SecretStoreException write =
        assertThrows(
            SecretStoreException.class, () -> store.write("db/a", admin("2"), OptionalInt.empty()));
    assertTrue(write.getMessage().contains("chmod 600"), write.getMessage());
    assertThrows(SecretStoreException.class, () -> store.metadata("db/a"));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw----r--"));
    assertThrows(SecretStoreException.class, () -> store.read(SecretRef.parse("db/a")));

    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    assertEquals(PASSWORD, store.read(SecretRef.parse("db/a")).require("password"));
  }

  @Test
  void neverShowsValuesInToStringOrMessages() {
    FileSecretStore store = store();
    store.write("db/a", admin(PASSWORD), OptionalInt.empty());
    Secret secret = store.read(SecretRef.parse("db/a"));

    String text = secret.toString();
    assertFalse(text.contains(PASSWORD), text);
    assertFalse(text.contains("runbooks_admin"), text);
    assertTrue(text.contains("db/a") && text.contains("version=1"), text);
    assertTrue(text.contains("password") && text.contains("username"), "keys are named: " + text);

    SecretStoreException missingKey =
        assertThrows(SecretStoreException.class, () -> secret.require("token"));
    assertTrue(missingKey.getMessage().contains("no key \"token\""), missingKey.getMessage());
    assertFalse(missingKey.getMessage().contains(PASSWORD));
    assertFalse(store.metadata("db/a").toString().contains(PASSWORD));
  }

  @Test
  void reportsACorruptFileWithoutQuotingIt() throws IOException {
    Path file = dir.resolve("secrets.json");
    Files.writeString(file, "{ \"db/a\": { \"versions\": [ " + PASSWORD + " ] } }");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));

    SecretStoreException e =
        assertThrows(SecretStoreException.class, () -> store().read(SecretRef.parse("db/a")));
    assertTrue(e.getMessage().contains("not in the expected JSON form at line 1"), e.getMessage());
    assertFalse(e.getMessage().contains(PASSWORD), e.getMessage());
    assertNull(e.getCause(), "a parser's cause could quote the file");
  }

  @Test
  void leavesNoTemporaryFilesBehind() throws IOException {
    FileSecretStore store = store();
    for (int i = 0; i < 5; i++) {
      store.write("db/a", admin("v" + i), OptionalInt.empty());
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          Set.of("secrets.json", "secrets.json.lock"),
          files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
    }
  }

  @Test
  void twoThreadsWritingAtOnceLoseNoVersion() throws Exception {
    FileSecretStore first = new FileSecretStore(dir.resolve("secrets.json"));
    FileSecretStore second = new FileSecretStore(dir.resolve("secrets.json"));
    int perWriter = 40;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<List<Integer>>> results = new ArrayList<>();
      for (FileSecretStore store : List.of(first, second)) {
        String writer = store == first ? "first" : "second";
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  List<Integer> versions = new ArrayList<>();
                  for (int i = 0; i < perWriter; i++) {
                    versions.add(
                        store.write(
                            "shared/secret",
                            Map.of("writer", writer, "n", Integer.toString(i)),
                            OptionalInt.empty()));
                  }
                  return versions;
                }));
      }
      start.countDown();
      Set<Integer> returned = new HashSet<>();
      for (Future<List<Integer>> result : results) {
        returned.addAll(result.get(60, TimeUnit.SECONDS));
      }
      assertEquals(2 * perWriter, returned.size(), "every write got its own version");
    } finally {
      pool.shutdownNow();
    }
    assertEveryWriteKept(first, List.of("first", "second"), perWriter);
  }

  @Test
  void twoProcessesWritingAtOnceLoseNoVersion() throws Exception {
    Path file = dir.resolve("secrets.json");
    int perWriter = 25;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String classpath = System.getProperty("java.class.path");
    List<Process> processes = new ArrayList<>();
    for (String writer : List.of("first", "second")) {
      processes.add(
          new ProcessBuilder(
                  java,
                  "-XX:+UseSerialGC",
                  "-XX:TieredStopAtLevel=1",
                  "-cp",
                  classpath,
                  SecretWriterProcess.class.getName(),
                  file.toString(),
                  writer,
                  Integer.toString(perWriter))
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve(writer + ".log").toFile())
              .start());
    }
    for (Process process : processes) {
      assertTrue(process.waitFor(120, TimeUnit.SECONDS), "writer process finished");
      assertEquals(
          0,
          process.exitValue(),
          () ->
              "writer failed: "
                  + readQuietly(dir.resolve("first.log"))
                  + readQuietly(dir.resolve("second.log")));
    }
    assertEveryWriteKept(new FileSecretStore(file), List.of("first", "second"), perWriter);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static void assertEveryWriteKept(
      FileSecretStore store, List<String> writers, int perWriter) {
    SecretMetadata metadata = store.metadata("shared/secret");
    int total = writers.size() * perWriter;
    assertEquals(total, metadata.currentVersion());
    List<Integer> numbers = new ArrayList<>();
    for (SecretMetadata.Version v : metadata.versions()) {
      numbers.add(v.version());
    }
    List<Integer> expected = new ArrayList<>();
    for (int i = 1; i <= total; i++) {
      expected.add(i);
    }
    assertEquals(expected, numbers, "versions 1.." + total + " in order, none lost");

    Set<String> written = new HashSet<>();
    for (int v = 1; v <= total; v++) {
      Map<String, String> data = store.read(new SecretRef("shared/secret", v)).data();
      written.add(data.get("writer") + "/" + data.get("n"));
    }
    for (String writer : writers) {
      for (int i = 0; i < perWriter; i++) {
        assertTrue(written.contains(writer + "/" + i), "kept " + writer + "/" + i);
      }
    }
  }
}
