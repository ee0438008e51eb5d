package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SecretStoresTest {
  @TempDir Path dir;

  @Test
  void opensAnAbsoluteFileStore() {
    SecretStore store = SecretStores.open("file://" + dir.resolve("s.json"), Path.of("/elsewhere"));
    assertEquals(dir.resolve("s.json"), assertInstanceOf(FileSecretStore.class, store).file());
  }

  @Test
  void resolvesARelativeFileStoreAgainstTheConfigDirectory() {
    SecretStore store = SecretStores.open("file://conf/../s.json", dir);
    assertEquals(dir.resolve("s.json"), ((FileSecretStore) store).file());
  }

  @Test
  void saysVaultIsNotAvailableYet() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> SecretStores.open("vault", dir));
    assertTrue(
        e.getMessage()
            .startsWith("Vault secret store arrives with credential rotation; use file://"),
        e.getMessage());
  }

  @Test
  void refusesOtherSpecs() {
    for (String spec : new String[] {"s3://x", "/abs/secrets.json", "file://", "", null}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SecretStores.open(spec, dir));
      assertTrue(e.getMessage().contains("file:///path/secrets.json"), e.getMessage());
    }
  }
}
