package dev.runbooks.activities.secrets;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.runbooks.workflows.shared.SecretRef;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets in one JSON file, for one machine: {@code { "db/orders/admin": { "versions": [ {
 * "version": 1, "created": "2025-01-01T00:00:00Z", "data": { "username": ..., "password": ... } } ]
 * } }}.
 *
 * <p>The file holds passwords in the clear, so it is created with mode 0600 (its directory, when
 * this store creates it, 0700), and a file that group or others may read or write is refused rather
 * than used. A write replaces the file atomically (a temporary file in the same directory, fsync,
 * rename), so a reader sees the old or the new file, never half of one. Read-modify-write runs
 * under an exclusive lock on {@code FILE.lock} (a {@link FileChannel} lock between processes, a
 * {@link ReentrantLock} between threads of this JVM, which file locks do not separate), so two
 * writers cannot lose each other's version.
 */
public final class FileSecretStore implements SecretStore {
  private static final Logger log = LoggerFactory.getLogger(FileSecretStore.class);

  private static final Set<PosixFilePermission> OWNER_ONLY_FILE =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
  private static final Set<PosixFilePermission> OWNER_ONLY_DIRECTORY =
      EnumSet.of(
          PosixFilePermission.OWNER_READ,
          PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE);
  private static final Set<PosixFilePermission> GROUP_OR_OTHERS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  /** File locks belong to the process; threads of one JVM are kept apart here, per file. */
  private static final Map<Path, ReentrantLock> THREAD_LOCKS = new ConcurrentHashMap<>();

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .disable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(SerializationFeature.INDENT_OUTPUT)
          .build();

  private static final TypeReference<TreeMap<String, StoredSecret>> FILE_SHAPE =
      new TypeReference<>() {};

  private record StoredVersion(int version, String created, Map<String, String> data) {}

  private record StoredSecret(List<StoredVersion> versions) {}

  private final Path file;
  private final Path lockFile;
  private final Clock clock;
  private final boolean posix;

  /** A store in {@code file}, which is created on the first write. */
  public FileSecretStore(Path file) {
    this(file, Clock.systemUTC());
  }

  /**
   * @param clock stamps each version's {@code created}
   */
  public FileSecretStore(Path file, Clock clock) {
    this.file = file.toAbsolutePath().normalize();
    this.lockFile = this.file.resolveSibling(this.file.getFileName() + ".lock");
    this.clock = Objects.requireNonNull(clock, "clock");
    Path probe = this.file.getParent();
    while (probe != null && !Files.exists(probe)) {
      probe = probe.getParent();
    }
    this.posix =
        probe == null || probe.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  /** The JSON file. */
  public Path file() {
    return file;
  }

  @Override
  public Secret read(SecretRef ref) {
    String path = SecretRef.validatePath(ref.path());
    if (!Files.exists(file)) {
      throw new SecretNotFoundException(
          path,
          ref.version(),
          "the secret store file "
              + file
              + " does not exist, so secret "
              + path
              + " cannot be read. Fix: correct secrets: in runbooks.yaml (a relative file:// path"
              + " is taken from the configuration's directory), or create the store there (mode"
              + " 0600) with the secret in it.");
    }
    StoredSecret secret = load().get(path);
    if (secret == null || secret.versions() == null || secret.versions().isEmpty()) {
      throw new SecretNotFoundException(
          path,
          null,
          "secret "
              + path
              + " does not exist in "
              + file
              + ". Fix: write it first (keys username and password for an admin secret), or"
              + " correct the path in runbooks.yaml.");
    }
    List<StoredVersion> versions = secret.versions();
    StoredVersion chosen = null;
    if (ref.version() == null) {
      chosen = versions.get(versions.size() - 1);
    } else {
      for (StoredVersion v : versions) {
        if (v.version() == ref.version()) {
          chosen = v;
        }
      }
    }
    if (chosen == null) {
      int current = versions.get(versions.size() - 1).version();
      throw new SecretNotFoundException(
          path,
          ref.version(),
          "secret "
              + path
              + " has no version "
              + ref.version()
              + " in "
              + file
              + "; its versions are "
              + versionNumbers(versions)
              + ". Fix: refer to an existing version, such as "
              + path
              + "@"
              + current
              + ", or to "
              + path
              + " for the latest.");
    }
    return new Secret(path, chosen.version(), chosen.data() == null ? Map.of() : chosen.data());
  }

  @Override
  public int write(String path, Map<String, String> data, OptionalInt cas) {
    SecretRef.validatePath(path);
    Map<String, String> copy = Map.copyOf(data);
    if (cas.isPresent() && cas.getAsInt() < 0) {
      throw new IllegalArgumentException(
          "check-and-set version " + cas.getAsInt() + " for secret " + path + " is negative");
    }
    ReentrantLock threadLock = THREAD_LOCKS.computeIfAbsent(file, f -> new ReentrantLock());
    threadLock.lock();
    try {
      createDirectory();
      try (FileChannel channel = openLockFile()) {
        // Held until the channel closes; another process's writer waits here.
        channel.lock();
        TreeMap<String, StoredSecret> all = load();
        StoredSecret secret = all.get(path);
        List<StoredVersion> versions =
            secret == null || secret.versions() == null
                ? new ArrayList<>()
                : new ArrayList<>(secret.versions());
        int current = versions.isEmpty() ? 0 : versions.get(versions.size() - 1).version();
        if (cas.isPresent() && cas.getAsInt() != current) {
          throw new SecretConflictException(path, cas.getAsInt(), current);
        }
        int next = current + 1;
        versions.add(new StoredVersion(next, clock.instant().toString(), new TreeMap<>(copy)));
        all.put(path, new StoredSecret(versions));
        save(all);
        log.info("wrote version {} of secret {} to {}", next, path, file);
        return next;
      }
    } catch (IOException e) {
      throw new SecretStoreException(
          "cannot write secret "
              + path
              + " to "
              + file
              + ": "
              + e
              + ". Fix: check that the directory exists and is writable by this user.",
          e);
    } finally {
      threadLock.unlock();
    }
  }

  @Override
  public SecretMetadata metadata(String path) {
    SecretRef.validatePath(path);
    StoredSecret secret = load().get(path);
    if (secret == null || secret.versions() == null || secret.versions().isEmpty()) {
      throw new SecretNotFoundException(
          path, null, "secret " + path + " does not exist in " + file + ".");
    }
    List<SecretMetadata.Version> versions = new ArrayList<>();
    for (StoredVersion v : secret.versions()) {
      versions.add(new SecretMetadata.Version(v.version(), created(path, v)));
    }
    return new SecretMetadata(path, versions.get(versions.size() - 1).version(), versions);
  }

  private Instant created(String path, StoredVersion v) {
    try {
      return Instant.parse(v.created());
    } catch (DateTimeParseException | NullPointerException e) {
      throw new SecretStoreException(
          "secret "
              + path
              + " version "
              + v.version()
              + " in "
              + file
              + " has no valid created time. Fix: set \"created\" to an ISO-8601 instant such as"
              + " 2025-01-01T00:00:00Z.");
    }
  }

  private static List<Integer> versionNumbers(List<StoredVersion> versions) {
    List<Integer> numbers = new ArrayList<>();
    for (StoredVersion v : versions) {
      numbers.add(v.version());
    }
    return numbers;
  }

  /** The whole file; empty when it does not exist yet. */
  private TreeMap<String, StoredSecret> load() {
    byte[] content;
    try {
      checkPermissions();
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return new TreeMap<>();
    } catch (IOException e) {
      throw new SecretStoreException(
          "cannot read secret store "
              + file
              + ": "
              + e
              + ". Fix: check that this user owns it and can read it.",
          e);
    }
    try {
      TreeMap<String, StoredSecret> all = JSON.readValue(content, FILE_SHAPE);
      return all == null ? new TreeMap<>() : all;
    } catch (JsonProcessingException e) {
      // Jackson's own message may quote the file's text, which holds passwords: say only where.
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      throw new SecretStoreException(
          "secret store "
              + file
              + " is not in the expected JSON form"
              + where
              + ". Fix: repair the file, or restore it from a backup.");
    } catch (IOException e) {
      throw new SecretStoreException("cannot read secret store " + file + ": " + e, e);
    }
  }

  private void checkPermissions() throws IOException {
    if (!posix) {
      return;
    }
    Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(file);
    Set<PosixFilePermission> extra = EnumSet.noneOf(PosixFilePermission.class);
    extra.addAll(permissions);
    extra.retainAll(GROUP_OR_OTHERS);
    if (!extra.isEmpty()) {
      throw new SecretStoreException(
          "secret store "
              + file
              + " has mode "
              + octal(permissions)
              + " ("
              + PosixFilePermissions.toString(permissions)
              + "): group or others may read or change the passwords in it, so it is not used."
              + " Fix: chmod 600 "
              + file);
    }
  }

  private static String octal(Set<PosixFilePermission> permissions) {
    int mode = 0;
    for (PosixFilePermission p : permissions) {
      mode |= 1 << (8 - p.ordinal());
    }
    return String.format("0%03o", mode);
  }

  private void createDirectory() throws IOException {
    Path directory = file.getParent();
    if (directory == null || Files.isDirectory(directory)) {
      return;
    }
    if (posix) {
      Files.createDirectories(
          directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY_DIRECTORY));
    } else {
      Files.createDirectories(directory);
    }
  }

  private FileChannel openLockFile() throws IOException {
    Set<StandardOpenOption> options =
        EnumSet.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    return posix
        ? FileChannel.open(lockFile, options, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE))
        : FileChannel.open(lockFile, options);
  }

  /** Writes a temporary file beside the store, syncs it, and renames it over the store. */
  private void save(Map<String, StoredSecret> all) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(all);
    Path directory = file.getParent();
    FileAttribute<?>[] attributes =
        posix
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY_FILE)}
            : new FileAttribute<?>[0];
    Path temporary =
        Files.createTempFile(directory, "." + file.getFileName() + ".", ".tmp", attributes);
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      try {
        Files.move(
            temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        throw new IOException(
            "the file system of "
                + directory
                + " cannot rename atomically; keep the store on a"
                + " local file system",
            e);
      }
      syncDirectory(directory);
    } finally {
      Files.deleteIfExists(temporary);
    }
  }

  /** Makes the rename itself durable; not every platform can open a directory, which is fine. */
  private static void syncDirectory(Path directory) {
    try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
      channel.force(true);
    } catch (IOException e) {
      log.debug("could not fsync directory {}: {}", directory, e.toString());
    }
  }
}
