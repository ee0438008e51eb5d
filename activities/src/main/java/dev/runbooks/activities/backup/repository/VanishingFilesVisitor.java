package dev.runbooks.activities.backup.repository;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;

/**
 * Collects the regular files under a directory while others change it: uploads commit (a rename)
 * and objects are deleted beside a listing, so a file or directory gone between the directory read
 * and its attributes is simply not listed, where {@code Files.walk} failed with a {@link
 * NoSuchFileException}.
 */
final class VanishingFilesVisitor extends SimpleFileVisitor<Path> {
  private final List<Path> files = new ArrayList<>();

  List<Path> files() {
    return files;
  }

  @Override
  public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
    if (attributes.isRegularFile()) {
      files.add(file);
    }
    return FileVisitResult.CONTINUE;
  }

  @Override
  public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
    if (e instanceof NoSuchFileException) {
      return FileVisitResult.CONTINUE;
    }
    throw e;
  }

  @Override
  public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
    if (e == null || e instanceof NoSuchFileException) {
      return FileVisitResult.CONTINUE;
    }
    throw e;
  }
}
