package dev.runbooks.activities.backup.crypto;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.Configuration;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.InvalidSpecException;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A key-encryption key kept in a local Tink keyset file (JSON, AES256_GCM), named in the
 * configuration as {@code local-keyset:/path}. The file is created on first use, readable by its
 * owner only, and refused when group or others may read it. Whoever has this file and a repository
 * can read every backup in it: keep a copy somewhere safe, apart from the backups.
 */
public final class LocalKeysetKek implements KeyEncryptionKey {
  private static final Logger log = LoggerFactory.getLogger(LocalKeysetKek.class);

  /** Binds wrapped keys to their purpose, so no other ciphertext of this keyset passes as one. */
  private static final byte[] ASSOCIATED_DATA =
      "runbooks backup data key v1".getBytes(StandardCharsets.US_ASCII);

  private static final Set<PosixFilePermission> OWNER_ONLY =
      EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

  /** Tink's 2026 set of AEAD key types: no global registry to initialise. */
  private static final Configuration TINK = AeadConfig2026.get();

  private final Path file;
  private final Aead aead;
  private final String keyId;
  private final Set<String> knownKeyIds;

  /** Whether this opening created the file and no backup has told of it yet. */
  private final AtomicBoolean untold;

  private LocalKeysetKek(Path file, KeysetHandle keyset, boolean created)
      throws GeneralSecurityException {
    this.file = file;
    this.untold = new AtomicBoolean(created);
    this.aead = keyset.getPrimitive(TINK, Aead.class);
    this.keyId = idOf(keyset.getPrimary().getId());
    Set<String> ids = new TreeSet<>();
    for (int i = 0; i < keyset.size(); i++) {
      ids.add(idOf(keyset.getAt(i).getId()));
    }
    this.knownKeyIds = Set.copyOf(ids);
  }

  /**
   * The key named by a configuration value {@code local-keyset:/path}.
   *
   * @throws IllegalArgumentException when {@code uri} is not of that form
   */
  public static LocalKeysetKek fromUri(String uri) {
    EncryptionSpec spec;
    try {
      spec = EncryptionSpec.parse(uri, null);
    } catch (InvalidSpecException e) {
      spec = null;
    }
    if (!(spec instanceof EncryptionSpec.LocalKeyset local)) {
      throw new IllegalArgumentException(
          "expected an encryption key of the form local-keyset:/absolute/path/keyset.json, found "
              + uri);
    }
    if (!local.file().isAbsolute()) {
      throw new IllegalArgumentException(
          "the keyset path in "
              + uri
              + " must be absolute, e.g. local-keyset:/var/lib/runbooks/backup-keyset.json");
    }
    return open(local.file());
  }

  /**
   * Loads the keyset in {@code file}, creating it (mode 0600) when it does not exist yet.
   *
   * @throws PermanentBackupException when the file is readable by group or others, or is not a Tink
   *     AEAD keyset
   */
  public static LocalKeysetKek open(Path file) {
    return open(file, KeysetCreation.ALWAYS);
  }

  /**
   * Loads the keyset in {@code file}; when it does not exist, creates it (mode 0600) if {@code
   * creation} allows, else fails with what {@code creation} says.
   */
  public static LocalKeysetKek open(Path file, KeysetCreation creation) {
    try {
      Path absolute = file.toAbsolutePath();
      boolean created = false;
      if (!Files.exists(absolute)) {
        creation.check(absolute);
        created = create(absolute);
      }
      checkOwnerOnly(absolute);
      String json = Files.readString(absolute, StandardCharsets.UTF_8);
      KeysetHandle keyset;
      try {
        keyset = TinkJsonProtoKeysetFormat.parseKeyset(json, TINK, InsecureSecretKeyAccess.get());
      } catch (GeneralSecurityException | RuntimeException e) {
        throw new PermanentBackupException(
            FailureType.BAD_INPUT,
            "the backup key file "
                + absolute
                + " is not a Tink keyset in JSON: restore it from your copy, or point"
                + " encryption: at the right file",
            e);
      }
      return new LocalKeysetKek(absolute, keyset, created);
    } catch (GeneralSecurityException e) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "the backup key file " + file + " holds no usable AEAD key: " + e.getMessage(),
          e);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read the backup key file " + file, e);
    }
  }

  @Override
  public String keyId() {
    return keyId;
  }

  /** The keyset file. */
  public Path file() {
    return file;
  }

  /** The ids of every key in the keyset: the primary and those kept after a rotation. */
  public Set<String> keyIds() {
    return knownKeyIds;
  }

  @Override
  public String takeNewKeyset() {
    return untold.getAndSet(false) ? file.toString() : null;
  }

  @Override
  public byte[] wrap(byte[] plaintextKeyset) {
    try {
      return aead.encrypt(plaintextKeyset, ASSOCIATED_DATA);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("could not wrap a data key with " + keyId, e);
    }
  }

  /**
   * Unwraps a data key wrapped by this keyset's primary key, or by any older key still in the
   * keyset (after a rotation).
   */
  @Override
  public byte[] unwrap(byte[] wrapped, String wrappedBy) {
    if (!knownKeyIds.contains(wrappedBy)) {
      throw new WrongKeyException(
          wrappedBy, keyId + " (" + new EncryptionSpec.LocalKeyset(file).uri() + ")");
    }
    try {
      return aead.decrypt(wrapped, ASSOCIATED_DATA);
    } catch (GeneralSecurityException e) {
      throw new CorruptedBackupException(
          "the wrapped data key in the manifest does not decrypt with "
              + wrappedBy
              + " although that key is in "
              + file
              + ": the manifest's wrappedKey was modified; restore from another backup",
          e);
    }
  }

  @Override
  public String toString() {
    return "LocalKeysetKek[" + keyId + " in " + file + "]";
  }

  private static String idOf(int tinkKeyId) {
    return "local:" + Integer.toUnsignedString(tinkKeyId);
  }

  /**
   * Writes a new keyset under a temporary name and links it into place, so that two workers
   * starting at once cannot both create a keyset and have one silently replace the other: the loser
   * finds the winner's file and uses it.
   */
  /** Returns whether this call made the file (false: another process was first). */
  private static synchronized boolean create(Path file)
      throws IOException, GeneralSecurityException {
    Path dir = file.getParent();
    Files.createDirectories(dir);
    KeysetHandle keyset = KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM, TINK);
    boolean made = false;
    String json =
        TinkJsonProtoKeysetFormat.serializeKeyset(keyset, TINK, InsecureSecretKeyAccess.get());
    boolean posix = Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null;
    Path temp =
        posix
            ? Files.createTempFile(
                dir, ".keyset-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
            : Files.createTempFile(dir, ".keyset-", ".tmp");
    try {
      try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
        channel.write(ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)));
        channel.force(true);
      }
      try {
        Files.createLink(file, temp);
        made = true;
        log.warn(
            "created a NEW backup key-encryption keyset {} ({}): every backup from now on needs"
                + " it; keep a copy somewhere safe, apart from the backups",
            file,
            idOf(keyset.getPrimary().getId()));
      } catch (FileAlreadyExistsException raced) {
        log.info("backup keyset {} was created by another process meanwhile; using it", file);
      }
    } finally {
      Files.deleteIfExists(temp);
    }
    if (posix) {
      try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
        d.force(true);
      }
    }
    return made;
  }

  private static void checkOwnerOnly(Path file) throws IOException {
    PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
    if (view == null) {
      return;
    }
    Set<PosixFilePermission> permissions = view.readAttributes().permissions();
    Set<PosixFilePermission> tooOpen = EnumSet.noneOf(PosixFilePermission.class);
    for (PosixFilePermission p : permissions) {
      if (!p.name().startsWith("OWNER_")) {
        tooOpen.add(p);
      }
    }
    if (!tooOpen.isEmpty()) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "the backup key file "
              + file
              + " has mode "
              + PosixFilePermissions.toString(permissions)
              + ", open to group or others, but it protects every backup: run chmod 600 "
              + file
              + " (and check who may have read it)");
    }
  }
}
