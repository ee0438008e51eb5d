package dev.runbooks.activities.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.config.ConfigLoader;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStores;
import dev.runbooks.activities.testing.VaultStandIn;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin secret read from Vault: a refused token is permanent, never retried. */
class ConfiguredConnectionsVaultTest {
  @TempDir Path dir;

  @Test
  void aTokenVaultRefusesIsAPermanentPermissionFailureWithoutTheToken() throws Exception {
    try (VaultStandIn vault = VaultStandIn.start()) {
      SecretStores.open("vault", dir, vault.env())
          .write(
              "db/orders/admin",
              Map.of("username", "u", "password", "pw-123456"),
              OptionalInt.of(0));
      Map<String, String> env = new HashMap<>(vault.env());
      env.put("VAULT_TOKEN", "hvs.not-a-valid-token");
      SecretStore refused = SecretStores.open("vault", dir, env);
      Path file = dir.resolve("runbooks.yaml");
      Files.writeString(
          file,
          "targets:\n  orders:\n    primary: { host: 127.0.0.1, port: 5432, database: orders }\n"
              + "    admin: { secret: db/orders/admin }\nsecrets: vault\n");
      ConfiguredConnections connections =
          new ConfiguredConnections(ConfigLoader.load(file, Map.of()), refused);

      ApplicationFailure failure =
          assertThrows(ApplicationFailure.class, () -> connections.primary("orders"));
      assertEquals("PERMISSION_DENIED", failure.getType());
      assertTrue(failure.isNonRetryable());
      assertFalse(failure.getOriginalMessage().contains("not-a-valid-token"));
      assertFalse(failure.getOriginalMessage().contains("pw-123456"));
    }
  }
}
