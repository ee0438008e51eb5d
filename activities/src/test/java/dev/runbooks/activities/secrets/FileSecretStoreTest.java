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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What only the file store has: its JSON layout, file modes, atomic rewrites and locking between
 * processes. The behaviour every store shares is in {@link FileSecretStoreContractTest}.
 */
class FileSecretStoreTest {
  private static final String PASSWORD = SecretStoreContract.PASSWORD;

  private static final Instant T0 = FileSecretStoreContractTest.T0;

  @TempDir Path dir;

  private FileSecretStore store() {
    return new FileSecretStore(
        dir.resolve("secrets.json"), new FileSecretStoreContractTest.TickingClock());
  }

  private static Map<String, String> admin(String password) {
    return SecretStoreContract.admin(password);
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
    SecretStoreContract.assertEveryWriteKept(
        new FileSecretStore(file), "shared/secret", List.of("first", "second"), perWriter);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
