package dev.runbooks.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A file a command writes for the user that holds secrets or data (a decrypted dump, a copy of the
 * backup key): never over an existing one, readable by its owner only, and written under a
 * temporary name in the same directory until it is complete.
 */
final class NewFile {
  private NewFile() {}

  /**
   * The directory {@code file} goes in.
   *
   * @param option the option that named it, for the message ({@code --out})
   * @throws UsageException when {@code file} exists or its directory does not
   */
  static Path directory(Path file, String option) {
    if (Files.exists(file)) {
      throw new UsageException(
          option + " " + file + " exists: give a new file, or remove it first.");
    }
    Path dir = file.toAbsolutePath().getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new UsageException(option + " " + file + ": the directory " + dir + " does not exist.");
    }
    return dir;
  }

  /** An empty file beside {@code file}, mode 0600, to write it in; the caller removes it. */
  static Path partial(Path file) throws IOException {
    Path partial =
        Files.createTempFile(
            file.toAbsolutePath().getParent(), "." + file.getFileName() + "-", ".partial");
    try {
      Files.setPosixFilePermissions(partial, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException e) {
      // Not a POSIX file system: the directory's own permissions protect the file.
    }
    return partial;
  }
}
