package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class VaultSettingsTest {
  private static final String TOKEN = "hvs.CAESIJ-test-token-0123456789";

  @Test
  void readsWhatVaultsOwnCliReads() {
    VaultSettings settings =
        VaultSettings.fromEnv(
            Map.of(
                "VAULT_ADDR", "https://vault.example.com:8200/",
                "VAULT_TOKEN", TOKEN,
                "VAULT_NAMESPACE", "team-a",
                "VAULT_CACERT", "/etc/ssl/vault-ca.pem"));
    assertEquals("https://vault.example.com:8200", settings.address());
    assertEquals(new VaultAuth.Token(TOKEN), settings.auth());
    assertFalse(settings.appRole());
    assertEquals("team-a", settings.namespace());
    assertEquals(Path.of("/etc/ssl/vault-ca.pem"), settings.tls().caCert());
    assertFalse(settings.tls().skipVerify(), "TLS verification is on by default");
    assertEquals("secret", settings.mounts().kv());
    assertEquals("transit", settings.mounts().transit());
    settings.validate();
  }

  @Test
  void prefersAppRoleWhenARoleIdIsSet() {
    VaultSettings settings =
        VaultSettings.fromEnv(
            Map.of(
                "VAULT_ADDR", "http://127.0.0.1:8200",
                "VAULT_TOKEN", TOKEN,
                "VAULT_ROLE_ID", "role-1",
                "VAULT_SECRET_ID", "secret-id-0c1d"));
    assertTrue(settings.appRole());
    assertEquals(new VaultAuth.AppRole("role-1", "secret-id-0c1d"), settings.auth());
    settings.validate();
    assertTrue(settings.withToken(TOKEN).auth().equals(new VaultAuth.Token(TOKEN)));
    assertFalse(settings.withToken(TOKEN).appRole(), "an explicit token replaces the AppRole");
  }

  @Test
  void explicitSettingsOverrideTheEnvironment() {
    VaultSettings settings =
        VaultSettings.fromEnv(Map.of("VAULT_ADDR", "http://a:8200", "VAULT_TOKEN", "one"))
            .withAddress("https://b:8200")
            .withToken("two")
            .withKvMount("team/kv");
    assertEquals("https://b:8200", settings.address());
    assertEquals(new VaultAuth.Token("two"), settings.auth());
    assertEquals("team/kv", settings.mounts().kv());
  }

  @Test
  void neverShowsTheTokenOrTheSecretId() {
    VaultSettings token =
        VaultSettings.fromEnv(Map.of("VAULT_ADDR", "http://a:8200", "VAULT_TOKEN", TOKEN));
    assertFalse(token.toString().contains(TOKEN), token.toString());
    assertTrue(token.toString().contains("auth=token"), token.toString());
    VaultSettings appRole = token.withAppRole("role-1", "secret-id-0c1d");
    assertFalse(appRole.toString().contains("secret-id-0c1d"), appRole.toString());
    assertTrue(appRole.toString().contains("approle"), appRole.toString());
  }

  @Test
  void saysWhichVariableIsMissing() {
    IllegalArgumentException noAddress =
        assertThrows(
            IllegalArgumentException.class,
            () -> VaultSettings.fromEnv(Map.of("VAULT_TOKEN", TOKEN)).validate());
    assertTrue(noAddress.getMessage().startsWith("VAULT_ADDR is not set"), noAddress.getMessage());
    assertFalse(noAddress.getMessage().contains(TOKEN));

    IllegalArgumentException noCredentials =
        assertThrows(
            IllegalArgumentException.class,
            () -> VaultSettings.fromEnv(Map.of("VAULT_ADDR", "http://a:8200")).validate());
    assertTrue(noCredentials.getMessage().contains("VAULT_TOKEN"), noCredentials.getMessage());

    IllegalArgumentException noSecretId =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                VaultSettings.fromEnv(Map.of("VAULT_ADDR", "http://a:8200", "VAULT_ROLE_ID", "r"))
                    .validate());
    assertTrue(noSecretId.getMessage().contains("VAULT_SECRET_ID"), noSecretId.getMessage());
  }

  @Test
  void refusesUnusableValues() {
    for (String address : new String[] {"vault:8200", "ftp://vault", "https://tok@vault:8200"}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> VaultSettings.fromEnv(Map.of("VAULT_ADDR", address)),
          address);
    }
    IllegalArgumentException skip =
        assertThrows(
            IllegalArgumentException.class,
            () -> VaultSettings.fromEnv(Map.of("VAULT_SKIP_VERIFY", "maybe")));
    assertTrue(skip.getMessage().contains("VAULT_SKIP_VERIFY"), skip.getMessage());
    assertTrue(VaultSettings.fromEnv(Map.of("VAULT_SKIP_VERIFY", "true")).tls().skipVerify());
    for (String mount : new String[] {"", "/secret", "a//b", "a b", "../x"}) {
      assertThrows(
          IllegalArgumentException.class,
          () -> VaultSettings.fromEnv(Map.of()).withKvMount(mount),
          mount);
    }
  }
}
