package dev.runbooks.activities.backup.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The repository's modes under the widest umask there is: a JVM of its own is started with umask
 * 000 (a JVM cannot change its own) and writes a backup's three files the way a backup does.
 */
class FileRepositoryUmaskTest {
  @TempDir Path dir;

  @Test
  void filesAre0600AndDirectories0700UnderUmask000() throws Exception {
    Path root = dir.resolve("repository");
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child =
        new ProcessBuilder(
                "/bin/sh",
                "-c",
                "umask 000 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\"",
                java,
                System.getProperty("java.class.path"),
                Writer.class.getName(),
                root.toString())
            .redirectErrorStream(true)
            .start();
    String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!child.waitFor(120, TimeUnit.SECONDS)) {
      child.destroyForcibly();
    }
    assertEquals(0, child.exitValue(), "the writer under umask 000 failed: " + output);
    assertEquals("rw-rw-rw-", output.strip(), "the child's own probe file shows umask 000 held");

    for (String file : List.of("dump.enc", "manifest.json", "verdict.json")) {
      assertEquals("rw-------", mode(root.resolve("orders/20261203T020000Z-1a2b/" + file)), file);
    }
    assertEquals("rwx------", mode(root.resolve("orders")));
    assertEquals("rwx------", mode(root.resolve("orders/20261203T020000Z-1a2b")));
  }

  private static String mode(Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  /** Runs in the child JVM: writes a backup's files and prints the mode umask 000 gives a file. */
  static final class Writer {
    public static void main(String[] args) throws IOException {
      Path root = Path.of(args[0]);
      FileRepository repository = new FileRepository(root);
      String backup = "orders/20261203T020000Z-1a2b/";
      try (BackupUpload upload = repository.create(backup + "dump.enc")) {
        upload.write("ciphertext".getBytes(StandardCharsets.UTF_8));
        upload.commit();
      }
      repository.put(backup + "manifest.json", "{}".getBytes(StandardCharsets.UTF_8));
      repository.put(backup + "verdict.json", "{}".getBytes(StandardCharsets.UTF_8));
      Path probe = Files.createFile(root.resolveSibling("probe"));
      System.out.println(PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)));
    }
  }
}
