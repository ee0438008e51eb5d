package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
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
  void opensVaultWithItsSettingsFromTheEnvironment() {
    Map<String, String> env = Map.of("VAULT_ADDR", "http://127.0.0.1:8200", "VAULT_TOKEN", "t");
    VaultSecretStore store =
        assertInstanceOf(VaultSecretStore.class, SecretStores.open("vault", dir, env));
    assertEquals("secret", store.mount());
    assertEquals("http://127.0.0.1:8200", store.address());

    assertEquals(
        "team/kv", ((VaultSecretStore) SecretStores.open("vault://team/kv/", dir, env)).mount());
  }

  @Test
  void saysWhatVaultNeedsFromTheEnvironment() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> SecretStores.open("vault", dir, Map.of()));
    assertTrue(e.getMessage().startsWith("VAULT_ADDR is not set"), e.getMessage());
    assertTrue(e.getMessage().contains("file:///path/secrets.json"), e.getMessage());

    IllegalArgumentException badMount =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                SecretStores.open(
                    "vault://a b", dir, Map.of("VAULT_ADDR", "http://v:8200", "VAULT_TOKEN", "t")));
    assertTrue(badMount.getMessage().contains("vault://MOUNT"), badMount.getMessage());
  }

  @Test
  void refusesOtherSpecs() {
    for (String spec :
        new String[] {"s3://x", "/abs/secrets.json", "file://", "", "vaults", "VAULT", null}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> SecretStores.open(spec, dir));
      assertTrue(e.getMessage().contains("file:///path/secrets.json"), e.getMessage());
    }
  }
}
