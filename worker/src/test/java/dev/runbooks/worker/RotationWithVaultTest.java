package dev.runbooks.worker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.secrets.VaultSecretStore;
import dev.runbooks.activities.secrets.VaultSettings;
import dev.runbooks.activities.testing.VaultStandIn;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.Outcome;
import dev.runbooks.workflows.shared.RunbookProgress;
import dev.runbooks.workflows.shared.StepState;
import io.temporal.failure.ApplicationFailure;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotation with Vault KV v2 as the secret store: against a real Vault when {@code VAULT_ADDR} and
 * {@code VAULT_TOKEN} are set, otherwise against the in-process stand-in. The test writes the
 * production layout ({@code db/orders/admin}, {@code db/orders/roles/...} on the {@code secret}
 * mount) and expects it not to exist yet: point it at a throwaway dev-mode Vault. A real Vault
 * cannot be sealed by a test, so there the sealed-store case is answered by {@link SealableStore}
 * itself, as a sealed Vault answers (503).
 */
class RotationWithVaultTest extends RotationRunbookContract {
  @TempDir static Path dir;
  private static VaultStandIn standIn;

  @BeforeAll
  static void startWorker() throws Exception {
    Map<String, String> env = System.getenv();
    VaultSettings settings;
    if (isSet(env, VaultSettings.ENV_ADDR) && isSet(env, VaultSettings.ENV_TOKEN)) {
      settings = VaultSettings.fromEnv(env);
    } else {
      standIn = VaultStandIn.start();
      settings = standIn.settings();
    }
    VaultStandIn sealable = standIn;
    start(VaultSecretStore.open(settings), sealable == null ? null : sealable::seal, dir, "vault");
  }

  @AfterAll
  static void stopVault() {
    if (standIn != null) {
      standIn.close();
      standIn = null;
    }
  }

  private static boolean isSet(Map<String, String> env, String name) {
    return env.get(name) != null && !env.get(name).isBlank();
  }

  @Test
  @Order(6)
  void vaultSealedJustBeforePublicationIsRetriedThenRolledBackLeavingTheCurrentLogin()
      throws Exception {
    int before = currentVersion(GROUP);
    String current =
        store
            .read(
                dev.runbooks.workflows.shared.SecretRef.latest(
                    dev.runbooks.workflows.rotation.RotationSecrets.path(TARGET, GROUP)))
            .require("username");
    String renewing = current.equals("app_a") ? "app_b" : "app_a";
    String verifierBefore = rolpassword(renewing);
    store.sealOnNextWrite();
    String id = nextId();
    ApplicationFailure failure;
    try {
      failure = failedRotation(id, request(GROUP, RotationStrategy.ALTERNATING, GRACE));
    } finally {
      if (standIn != null) {
        standIn.unseal();
      }
      store.unsealHere();
    }

    assertTrue(failure.getOriginalMessage().contains("sealed"), failure.getOriginalMessage());
    RunbookProgress progress = progress(id);
    assertEquals(Outcome.ROLLED_BACK, progress.outcome(), progress.outcomeDetail());
    assertTrue(
        progress.steps().stream()
            .anyMatch(s -> s.name().equals("renew") && s.state() == StepState.COMPENSATED),
        progress.steps().toString());
    assertEquals(before, currentVersion(GROUP), "nothing was published");
    assertEquals(null, loginWith(GROUP, before), "the current credential still works");
    assertEquals(verifierBefore, rolpassword(renewing), "the renewed login was put back as it was");
  }
}
