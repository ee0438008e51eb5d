package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.VaultStandIn;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The secret store contract for Vault KV version 2: against a real Vault when {@code VAULT_ADDR}
 * and {@code VAULT_TOKEN} are set in the environment (its KV v2 engine at {@code secret}, or at
 * {@code RUNBOOKS_TEST_VAULT_MOUNT}; the token needs create, read and update on {@code
 * <mount>/data/runbooks-contract/*} and read on {@code <mount>/metadata/runbooks-contract/*}),
 * otherwise against {@link VaultStandIn}. Each test writes under its own {@code
 * runbooks-contract/<run>/<test>/} prefix and deletes nothing, so a real Vault keeps what the runs
 * wrote there.
 */
class VaultSecretStoreContractTest extends SecretStoreContract {
  private static final Logger log = LoggerFactory.getLogger(VaultSecretStoreContractTest.class);

  private static final String RUN = UUID.randomUUID().toString().substring(0, 8);

  private static VaultStandIn standIn;
  private static VaultSettings settings;

  private final String prefix =
      "runbooks-contract/" + RUN + "/" + UUID.randomUUID().toString().substring(0, 8) + "/";

  @BeforeAll
  static void connect() {
    Map<String, String> env = System.getenv();
    if (isSet(env, VaultSettings.ENV_ADDR) && isSet(env, VaultSettings.ENV_TOKEN)) {
      settings = VaultSettings.fromEnv(env);
      if (isSet(env, "RUNBOOKS_TEST_VAULT_MOUNT")) {
        settings = settings.withKvMount(env.get("RUNBOOKS_TEST_VAULT_MOUNT"));
      }
      log.info("secret store contract against the real Vault at {}", settings.address());
    } else {
      standIn = VaultStandIn.start();
      settings = standIn.settings();
    }
  }

  @AfterAll
  static void stop() {
    if (standIn != null) {
      standIn.close();
    }
  }

  private static boolean isSet(Map<String, String> env, String name) {
    return env.get(name) != null && !env.get(name).isBlank();
  }

  @Override
  protected VaultSecretStore store() {
    return VaultSecretStore.open(settings);
  }

  @Override
  protected VaultSecretStore reopen() {
    return VaultSecretStore.open(settings);
  }

  @Override
  protected String prefix() {
    return prefix;
  }

  /** A real Vault keeps only max_versions (10 by default) versions of a secret. */
  @Override
  protected int writesPerWriter() {
    return standIn == null ? 5 : 40;
  }

  @Test
  void namesItsVaultButNotItsToken() {
    VaultSecretStore store = store();
    assertTrue(store.toString().contains(settings.address()), store.toString());
    assertTrue(store.toString().contains(settings.mounts().kv()), store.toString());
    assertFalse(
        store.toString().contains(((VaultAuth.Token) settings.auth()).token()),
        "the token is hidden");
    assertFalse(
        settings.toString().contains(((VaultAuth.Token) settings.auth()).token()),
        "the token is hidden");
  }
}
