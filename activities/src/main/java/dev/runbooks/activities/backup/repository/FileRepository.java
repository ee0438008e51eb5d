package dev.runbooks.activities.backup.repository;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A repository in a local directory (or a mounted file system). An upload writes a hidden temporary
 * file beside its final name ({@code .dump.enc.<random>.incomplete}); a commit fsyncs it, renames
 * it into place atomically and fsyncs the directories, so after a crash a key holds either nothing
 * or the whole object.
 */
public final class FileRepository implements BackupRepository {
  private static final Logger log = LoggerFactory.getLogger(FileRepository.class);

  static final String TEMP_SUFFIX = ".incomplete";

  private static final SecureRandom random = new SecureRandom();

  /** Files: whoever can rewrite a verdict or read a manifest is the repository's owner alone. */
  private static final Set<PosixFilePermission> FILE_MODE =
      PosixFilePermissions.fromString("rw-------");

  private static final Set<PosixFilePermission> DIRECTORY_MODE =
      PosixFilePermissions.fromString("rwx------");

  private final Path root;
  private final boolean posix;

  public FileRepository(Path root) {
    this.root = root.toAbsolutePath().normalize();
    this.posix = this.root.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The directory this repository keeps its objects in. */
  public Path root() {
    return root;
  }

  @Override
  public BackupUpload create(String key) throws IOException {
    Path target = resolve(key);
    Path dir = target.getParent();
    createOwnerOnlyDirectories(dir);
    byte[] nonce = new byte[6];
    random.nextBytes(nonce);
    Path temp =
        dir.resolve(
            "." + target.getFileName() + "." + HexFormat.of().formatHex(nonce) + TEMP_SUFFIX);
    Set<StandardOpenOption> options =
        Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    FileChannel channel =
        posix
            ? FileChannel.open(temp, options, PosixFilePermissions.asFileAttribute(FILE_MODE))
            : FileChannel.open(temp, options);
    if (posix) {
      // Set again, explicitly: the mode given at creation is narrowed by the umask, never widened,
      // but this keeps the result independent of it. The rename keeps the mode.
      Files.setPosixFilePermissions(temp, FILE_MODE);
    }
    return new FileUpload(key, target, temp, channel);
  }

  @Override
  public InputStream open(String key) throws IOException {
    try {
      return Files.newInputStream(resolve(key));
    } catch (NoSuchFileException e) {
      throw new ObjectNotFoundException(key, describe());
    }
  }

  @Override
  public Optional<Long> size(String key) throws IOException {
    Path file = resolve(key);
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return attributes.isRegularFile() ? Optional.of(attributes.size()) : Optional.empty();
    } catch (NoSuchFileException e) {
      return Optional.empty();
    }
  }

  @Override
  public boolean exists(String key) throws IOException {
    return Files.isRegularFile(resolve(key));
  }

  @Override
  public List<String> list(String prefix) throws IOException {
    List<String> keys = new ArrayList<>();
    for (Path file : filesUnder(prefix)) {
      if (!isTemp(file)) {
        String key = keyOf(file);
        if (key.startsWith(prefix)) {
          keys.add(key);
        }
      }
    }
    keys.sort(null);
    return keys;
  }

  @Override
  public void put(String key, byte[] small) throws IOException {
    try (BackupUpload upload = create(key)) {
      upload.write(small);
      upload.commit();
    }
  }

  @Override
  public byte[] get(String key) throws IOException {
    long size = size(key).orElseThrow(() -> new ObjectNotFoundException(key, describe()));
    if (size > MAX_SMALL_OBJECT) {
      throw new IllegalArgumentException(
          "expected a small object (a manifest or verdict) at "
              + key
              + " but it has "
              + size
              + " bytes: read it as a stream with open()");
    }
    try (InputStream in = open(key)) {
      return in.readAllBytes();
    }
  }

  @Override
  public void delete(String key) throws IOException {
    Path file = resolve(key);
    if (Files.deleteIfExists(file)) {
      removeEmptyParents(file.getParent());
    }
  }

  @Override
  public int cleanupIncomplete(String prefix, Instant before) throws IOException {
    int removed = 0;
    for (Path file : filesUnder(prefix)) {
      if (isTemp(file) && intendedKeyOf(file).startsWith(prefix)) {
        Instant written = Files.getLastModifiedTime(file).toInstant();
        if (written.isBefore(before) && Files.deleteIfExists(file)) {
          log.info("removed incomplete upload {} (last written {})", file, written);
          removed++;
        }
      }
    }
    return removed;
  }

  @Override
  public String describe() {
    return root.toUri().toString();
  }

  @Override
  public String toString() {
    return "FileRepository[" + describe() + "]";
  }

  /**
   * Creates {@code dir} and its missing parents mode 0700, and narrows to 0700 the directories
   * between it and the root that an older version (or the umask) made wider. The root is narrowed
   * only when this repository creates it: an existing one is the operator's.
   */
  private void createOwnerOnlyDirectories(Path dir) throws IOException {
    if (!posix) {
      Files.createDirectories(dir);
      return;
    }
    boolean rootExisted = Files.isDirectory(root);
    Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(DIRECTORY_MODE));
    for (Path d = dir; d != null && d.startsWith(root); d = d.getParent()) {
      if (d.equals(root) && rootExisted) {
        break;
      }
      if (!Files.getPosixFilePermissions(d).equals(DIRECTORY_MODE)) {
        try {
          Files.setPosixFilePermissions(d, DIRECTORY_MODE);
        } catch (AccessDeniedException e) {
          log.warn("could not make {} accessible to its owner only (mode 0700): {}", d, e);
        }
      }
    }
  }

  private Path resolve(String key) {
    Path resolved = root.resolve(RepositoryKeys.check(key)).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw new IllegalArgumentException("expected a key inside " + describe() + ", found " + key);
    }
    return resolved;
  }

  /** Regular files in the deepest directory the prefix names, and below it. */
  private List<Path> filesUnder(String prefix) throws IOException {
    RepositoryKeys.checkPrefix(prefix);
    int slash = prefix.lastIndexOf('/');
    Path start = slash < 0 ? root : root.resolve(prefix.substring(0, slash));
    if (!Files.isDirectory(start)) {
      return List.of();
    }
    VanishingFilesVisitor visitor = new VanishingFilesVisitor();
    Files.walkFileTree(start, visitor);
    return visitor.files();
  }

  private String keyOf(Path file) {
    Path relative = root.relativize(file);
    StringBuilder key = new StringBuilder();
    for (Path part : relative) {
      if (key.length() > 0) {
        key.append('/');
      }
      key.append(part);
    }
    return key.toString();
  }

  private static boolean isTemp(Path file) {
    String name = file.getFileName().toString();
    return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
  }

  /** The key a temporary file {@code .<name>.<nonce>.incomplete} was going to become. */
  private String intendedKeyOf(Path temp) {
    String name = temp.getFileName().toString();
    String stem = name.substring(1, name.length() - TEMP_SUFFIX.length());
    int dot = stem.lastIndexOf('.');
    String intended = dot > 0 ? stem.substring(0, dot) : stem;
    return keyOf(temp.resolveSibling(intended));
  }

  private void removeEmptyParents(Path dir) throws IOException {
    for (Path d = dir; d != null && d.startsWith(root) && !d.equals(root); d = d.getParent()) {
      try {
        Files.delete(d);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        return;
      }
    }
  }

  /** Makes renames and new directory entries from {@code dir} up to the root durable. */
  private void syncDirectories(Path dir) throws IOException {
    for (Path d = dir; d != null && d.startsWith(root); d = d.getParent()) {
      try (FileChannel channel = FileChannel.open(d, StandardOpenOption.READ)) {
        channel.force(true);
      }
    }
  }

  private final class FileUpload extends BackupUpload {
    private final String key;
    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private long written;
    private boolean committed;
    private boolean aborted;

    FileUpload(String key, Path target, Path temp, FileChannel channel) {
      this.key = key;
      this.target = target;
      this.temp = temp;
      this.channel = channel;
      this.out = new BufferedOutputStream(Channels.newOutputStream(channel), 64 * 1024);
    }

    @Override
    public String key() {
      return key;
    }

    @Override
    public long bytesWritten() {
      return written;
    }

    @Override
    public void write(int b) throws IOException {
      checkOpen();
      out.write(b);
      written++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      checkOpen();
      out.write(b, off, len);
      written += len;
    }

    @Override
    public void flush() throws IOException {
      if (!committed && !aborted) {
        out.flush();
      }
    }

    @Override
    public void commit() throws IOException {
      if (committed) {
        return;
      }
      checkOpen();
      try {
        out.flush();
        channel.force(true);
        channel.close();
        Files.move(
            temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        committed = true;
        syncDirectories(target.getParent());
      } catch (IOException | RuntimeException e) {
        if (!committed) {
          abort();
        }
        throw e;
      }
    }

    @Override
    public void abort() throws IOException {
      if (committed || aborted) {
        return;
      }
      aborted = true;
      try {
        channel.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }

    @Override
    public void close() throws IOException {
      abort();
    }

    private void checkOpen() throws IOException {
      if (committed) {
        throw new IOException("upload of " + key + " was already committed");
      }
      if (aborted) {
        throw new IOException("upload of " + key + " was aborted");
      }
    }
  }
}
