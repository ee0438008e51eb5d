package dev.runbooks.activities.backup.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig2026;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.workflows.shared.FailureType;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalKeysetKekTest {
  private static final byte[] DATA_KEY =
      "a serialized data keyset".getBytes(StandardCharsets.UTF_8);

  @TempDir Path dir;

  @Test
  void createsTheKeysetOnFirstUseReadableByItsOwnerOnly() throws Exception {
    Path file = dir.resolve("nested/backup-keyset.json");
    LocalKeysetKek kek = LocalKeysetKek.fromUri("local-keyset:" + file);

    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(kek.keyId().matches("local:\\d+"), kek.keyId());
    // No temporary file is left beside it.
    try (var files = Files.list(file.getParent())) {
      assertEquals(1, files.count());
    }

    LocalKeysetKek again = LocalKeysetKek.open(file);
    assertEquals(kek.keyId(), again.keyId());
    assertArrayEquals(DATA_KEY, again.unwrap(kek.wrap(DATA_KEY), kek.keyId()));
  }

  @Test
  void refusesAKeysetFileOthersCanRead() throws Exception {
    Path file = dir.resolve("kek.json");
    LocalKeysetKek.open(file);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

    PermanentBackupException e =
        assertThrows(PermanentBackupException.class, () -> LocalKeysetKek.open(file));
    assertEquals(FailureType.BAD_INPUT, e.type());
    assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    assertTrue(e.getMessage().contains("rw-r--r--"), e.getMessage());
  }

  @Test
  void aDifferentKeysetCannotUnwrapAndSaysWhichKeyIsNeeded() {
    LocalKeysetKek one = LocalKeysetKek.open(dir.resolve("one.json"));
    LocalKeysetKek two = LocalKeysetKek.open(dir.resolve("two.json"));
    assertNotEquals(one.keyId(), two.keyId());

    WrongKeyException e =
        assertThrows(WrongKeyException.class, () -> two.unwrap(one.wrap(DATA_KEY), one.keyId()));
    assertTrue(e.getMessage().contains("wrapped by key-encryption key " + one.keyId()));
    assertTrue(e.getMessage().contains("configured key is " + two.keyId()));
  }

  @Test
  void aModifiedWrappedKeyIsCorruption() {
    LocalKeysetKek kek = LocalKeysetKek.open(dir.resolve("kek.json"));
    byte[] wrapped = kek.wrap(DATA_KEY);
    wrapped[wrapped.length - 1] ^= 1;
    assertThrows(CorruptedBackupException.class, () -> kek.unwrap(wrapped, kek.keyId()));
  }

  @Test
  void afterARotationOldDataKeysStillUnwrap() throws Exception {
    Path file = dir.resolve("kek.json");
    LocalKeysetKek before = LocalKeysetKek.open(file);
    byte[] wrapped = before.wrap(DATA_KEY);

    KeysetHandle old =
        TinkJsonProtoKeysetFormat.parseKeyset(
            Files.readString(file), AeadConfig2026.get(), InsecureSecretKeyAccess.get());
    KeysetHandle rotated =
        KeysetHandle.newBuilder(old)
            .addEntry(
                KeysetHandle.importKey(
                        KeysetHandle.generateNew(
                                PredefinedAeadParameters.AES256_GCM, AeadConfig2026.get())
                            .getPrimary()
                            .getKey())
                    .makePrimary())
            .build();
    Files.writeString(
        file,
        TinkJsonProtoKeysetFormat.serializeKeyset(
            rotated, AeadConfig2026.get(), InsecureSecretKeyAccess.get()));

    LocalKeysetKek after = LocalKeysetKek.open(file);
    assertNotEquals(before.keyId(), after.keyId());
    assertArrayEquals(DATA_KEY, after.unwrap(wrapped, before.keyId()));
  }

  @Test
  void refusesAFileThatIsNotAKeyset() throws Exception {
    Path file = dir.resolve("kek.json");
    Files.writeString(file, "{\"not\": \"a keyset\"}");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    PermanentBackupException e =
        assertThrows(PermanentBackupException.class, () -> LocalKeysetKek.open(file));
    assertTrue(e.getMessage().contains("is not a Tink keyset"), e.getMessage());
  }

  @Test
  void refusesARelativeOrMalformedUri() {
    assertThrows(IllegalArgumentException.class, () -> LocalKeysetKek.fromUri("local-keyset:"));
    assertThrows(
        IllegalArgumentException.class, () -> LocalKeysetKek.fromUri("local-keyset:keys/k.json"));
    assertThrows(
        IllegalArgumentException.class, () -> LocalKeysetKek.fromUri("vault-transit:backups"));
  }
}
