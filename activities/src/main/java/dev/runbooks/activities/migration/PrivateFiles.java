package dev.runbooks.activities.migration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * Directories only the worker's user can enter (0700) and files only it can read (0600), whatever
 * the umask: the modes are set explicitly after creation, not left to the process's umask.
 */
final class PrivateFiles {
  private static final Set<PosixFilePermission> DIRECTORY =
      PosixFilePermissions.fromString("rwx------");
  private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("rw-------");

  private PrivateFiles() {}

  /**
   * Creates {@code dir} (and missing parents) 0700, or makes an existing one 0700; refuses a
   * symbolic link or a directory another user owns, which could show the files to someone else.
   */
  static void directory(Path dir) throws IOException {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      if (!posix(dir.getParent() == null ? dir : existingAncestor(dir))) {
        Files.createDirectories(dir);
        return;
      }
      Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY));
    }
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      throw new IOException(
          dir
              + " is not a directory (a symbolic link or a file?): remove it, or set another"
              + " data directory with RUNBOOKS_DATA_DIR");
    }
    if (!posix(dir)) {
      return;
    }
    // Who this process is, as the file system names it: the owner of a file it creates.
    Path probe = Files.createTempFile(dir, "owner", ".tmp");
    UserPrincipal me;
    try {
      me = Files.getOwner(probe);
    } finally {
      Files.delete(probe);
    }
    UserPrincipal owner = Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS);
    if (!owner.equals(me)) {
      throw new IOException(
          dir
              + " belongs to "
              + owner.getName()
              + ", not to this worker's user "
              + me.getName()
              + ": remove it, or set another data directory with RUNBOOKS_DATA_DIR");
    }
    Files.setPosixFilePermissions(dir, DIRECTORY);
  }

  /** A new empty file in {@code dir}, 0600. */
  static Path newFile(Path dir, String prefix, String suffix) throws IOException {
    if (!posix(dir)) {
      return Files.createTempFile(dir, prefix, suffix);
    }
    FileAttribute<Set<PosixFilePermission>> mode = PosixFilePermissions.asFileAttribute(FILE);
    Path file = Files.createTempFile(dir, prefix, suffix, mode);
    Files.setPosixFilePermissions(file, FILE);
    return file;
  }

  private static Path existingAncestor(Path dir) {
    Path p = dir.toAbsolutePath();
    while (p != null && !Files.exists(p)) {
      p = p.getParent();
    }
    return p == null ? dir.toAbsolutePath().getRoot() : p;
  }

  private static boolean posix(Path p) {
    return p.getFileSystem().supportedFileAttributeViews().contains("posix");
  }
}
