package dev.runbooks.activities.secrets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.testing.VaultStandIn;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.SecretRef;
import io.temporal.failure.ApplicationFailure;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What only the Vault store does: auth, refusals, outages, TLS, mounts; on the stand-in. */
class VaultSecretStoreTest {
  private static final String PASSWORD = SecretStoreContract.PASSWORD;

  @TempDir Path dir;

  private VaultStandIn vault;

  @BeforeEach
  void start() {
    vault = VaultStandIn.start();
  }

  @AfterEach
  void stop() {
    vault.close();
  }

  private VaultSecretStore store() {
    return VaultSecretStore.open(vault.settings());
  }

  private static Map<String, String> admin(String password) {
    return SecretStoreContract.admin(password);
  }

  private long logins() {
    return vault.requests().stream().filter(r -> r.path().equals("/v1/auth/approle/login")).count();
  }

  @Test
  void deniesABadTokenPermanentlyWithoutNamingIt() {
    store().write("db/a", admin(PASSWORD), OptionalInt.empty());
    String badToken = "hvs.not-a-token-of-this-vault-7f3a9";
    VaultSecretStore store = VaultSecretStore.open(vault.settings().withToken(badToken));

    SecretStoreAccessDeniedException read =
        assertThrows(
            SecretStoreAccessDeniedException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals("secret/data/db/a", read.path());
    assertTrue(read.getMessage().contains("secret/data/db/a"), read.getMessage());
    assertTrue(read.getMessage().contains("check VAULT_TOKEN / the policy"), read.getMessage());
    assertTrue(read.getMessage().contains("permission denied"), read.getMessage());
    assertFalse(read.getMessage().contains(badToken), read.getMessage());
    assertFalse(read.getMessage().contains(vault.rootToken()), read.getMessage());
    assertFalse(read.getMessage().contains(PASSWORD), read.getMessage());

    ApplicationFailure failure = read.toFailure();
    assertTrue(failure.isNonRetryable());
    assertEquals(FailureType.PERMISSION_DENIED.name(), failure.getType());

    SecretStoreAccessDeniedException write =
        assertThrows(
            SecretStoreAccessDeniedException.class,
            () -> store.write("db/a", admin("x"), OptionalInt.empty()));
    assertTrue(write.getMessage().contains("create and update"), write.getMessage());
    assertThrows(SecretStoreAccessDeniedException.class, () -> store.metadata("db/a"));
    assertFalse(store.toString().contains(badToken), store.toString());
  }

  @Test
  void deniesPathsOutsideTheTokensPolicy() {
    String token = vault.createToken("secret/data/app/", "secret/metadata/app/");
    VaultSecretStore store = VaultSecretStore.open(vault.settings().withToken(token));

    assertEquals(1, store.write("app/api", Map.of("key", "k1"), OptionalInt.empty()));
    assertEquals("k1", store.read(SecretRef.parse("app/api")).require("key"));
    SecretStoreAccessDeniedException e =
        assertThrows(
            SecretStoreAccessDeniedException.class,
            () -> store.read(SecretRef.parse("db/orders/admin")));
    assertTrue(e.getMessage().contains("secret/data/db/orders/admin"), e.getMessage());
  }

  @Test
  void aSealedVaultIsATransientFaultNamingTheAddress() {
    VaultSecretStore store = store();
    store.write("db/a", admin(PASSWORD), OptionalInt.empty());
    vault.seal();

    SecretStoreUnavailableException read =
        assertThrows(
            SecretStoreUnavailableException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals(vault.address(), read.address());
    assertEquals(503, read.status());
    assertEquals(List.of("Vault is sealed"), read.errors());
    assertTrue(read.getMessage().contains("Vault at " + vault.address()), read.getMessage());
    assertTrue(read.getMessage().contains("is sealed"), read.getMessage());
    assertTrue(read.getMessage().contains("will be retried"), read.getMessage());
    assertTrue(read.getMessage().contains("vault operator unseal"), read.getMessage());
    assertThrows(
        SecretStoreUnavailableException.class,
        () -> store.write("db/a", admin("2"), OptionalInt.of(1)));
    assertThrows(SecretStoreUnavailableException.class, () -> store.metadata("db/a"));

    vault.unseal();
    assertEquals(PASSWORD, store.read(SecretRef.parse("db/a")).require("password"));
  }

  @Test
  void aRefusedConnectionIsATransientFaultNamingTheAddress() throws IOException {
    int port;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = socket.getLocalPort();
    }
    String address = "http://127.0.0.1:" + port;
    VaultSecretStore store =
        VaultSecretStore.open(VaultSettings.fromEnv(Map.of()).withAddress(address).withToken("t"));

    SecretStoreUnavailableException e =
        assertThrows(
            SecretStoreUnavailableException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals(address, e.address());
    assertEquals(0, e.status());
    assertTrue(e.getMessage().contains("Vault at " + address), e.getMessage());
    assertTrue(e.getMessage().contains("refused the connection"), e.getMessage());
    assertTrue(e.getMessage().contains("VAULT_ADDR"), e.getMessage());
  }

  @Test
  void logsInWithAppRoleOnceAndAgainWhenItsTokenExpires() {
    VaultStandIn.AppRole role = vault.createAppRole("runbooks");
    VaultSecretStore store =
        VaultSecretStore.open(vault.settings().withAppRole(role.roleId(), role.secretId()));
    assertEquals(0, logins(), "no login before the first call");

    assertEquals(1, store.write("db/a", admin(PASSWORD), OptionalInt.empty()));
    assertEquals(PASSWORD, store.read(SecretRef.parse("db/a")).require("password"));
    assertEquals(1, store.metadata("db/a").currentVersion());
    assertEquals(1, logins(), "one login serves many calls");

    vault.revokeLoginTokens();
    assertEquals(PASSWORD, store.read(SecretRef.parse("db/a")).require("password"));
    assertEquals(2, logins(), "an expired token is replaced by a new login");
    assertFalse(store.toString().contains(role.secretId()), store.toString());
  }

  @Test
  void aRefusalThatANewLoginDoesNotCureIsPermanent() {
    VaultStandIn.AppRole role = vault.createAppRole("narrow", "secret/data/app/");
    VaultSecretStore store =
        VaultSecretStore.open(vault.settings().withAppRole(role.roleId(), role.secretId()));

    SecretStoreAccessDeniedException e =
        assertThrows(
            SecretStoreAccessDeniedException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals(2, logins(), "logged in, refused, logged in once more, refused again");
    assertTrue(e.getMessage().contains("VAULT_ROLE_ID and VAULT_SECRET_ID"), e.getMessage());
    assertTrue(e.getMessage().contains("/ the policy"), e.getMessage());
  }

  @Test
  void aRejectedAppRoleLoginIsPermanentAndHidesTheSecretId() {
    VaultStandIn.AppRole role = vault.createAppRole("runbooks");
    String wrongSecretId = "3f0c7e1a-wrong-secret-id";
    VaultSecretStore store =
        VaultSecretStore.open(vault.settings().withAppRole(role.roleId(), wrongSecretId));

    SecretStoreAccessDeniedException e =
        assertThrows(
            SecretStoreAccessDeniedException.class, () -> store.read(SecretRef.parse("db/a")));
    assertEquals("auth/approle/login", e.path());
    assertTrue(e.getMessage().contains("invalid role or secret ID"), e.getMessage());
    assertTrue(e.getMessage().contains("VAULT_SECRET_ID"), e.getMessage());
    assertFalse(e.getMessage().contains(wrongSecretId), e.getMessage());
    assertFalse(e.getMessage().contains(role.secretId()), e.getMessage());
  }

  @Test
  void stampsVersionsWithVaultsCreationTimes() {
    Instant before = Instant.now();
    VaultSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());
    Instant after = Instant.now();

    for (SecretMetadata.Version v : store.metadata("db/a").versions()) {
      assertFalse(v.created().isBefore(before.minus(Duration.ofSeconds(1))), v.toString());
      assertFalse(v.created().isAfter(after.plus(Duration.ofSeconds(1))), v.toString());
    }
  }

  @Test
  void saysWhenTheVersionAskedForWasDeleted() {
    VaultSecretStore store = store();
    store.write("db/a", admin("1"), OptionalInt.empty());
    store.write("db/a", admin("2"), OptionalInt.empty());
    vault.softDelete("secret", "db/a", 1);

    SecretNotFoundException e =
        assertThrows(SecretNotFoundException.class, () -> store.read(SecretRef.parse("db/a@1")));
    assertEquals(1, e.version());
    assertTrue(e.getMessage().contains("version 1 of secret db/a is deleted"), e.getMessage());
    assertTrue(e.getMessage().contains("vault kv undelete"), e.getMessage());
    assertEquals(admin("2"), store.read(SecretRef.parse("db/a")).data());
  }

  @Test
  void usesTheMountItIsGiven() {
    vault.enableKv("team/kv");
    VaultSecretStore store = VaultSecretStore.open(vault.settings().withKvMount("team/kv"));
    assertEquals(1, store.write("db/a", admin(PASSWORD), OptionalInt.empty()));
    assertEquals(1, store.metadata("db/a").currentVersion());
    assertEquals(PASSWORD, store.read(SecretRef.parse("db/a@1")).require("password"));
    assertTrue(
        vault.requests().stream().anyMatch(r -> r.path().equals("/v1/team/kv/data/db/a")),
        vault.requests().toString());
    assertThrows(
        SecretNotFoundException.class,
        () -> VaultSecretStore.open(vault.settings()).read(SecretRef.parse("db/a")));
  }

  @Test
  void saysWhenNothingIsMountedThere() {
    VaultSecretStore store = VaultSecretStore.open(vault.settings().withKvMount("nothing"));
    SecretStoreException e =
        assertThrows(SecretStoreException.class, () -> store.read(SecretRef.parse("db/a")));
    assertFalse(e instanceof SecretNotFoundException, e.toString());
    assertTrue(e.getMessage().contains("no secrets engine mounted at nothing"), e.getMessage());
    assertTrue(e.getMessage().contains("vault://MOUNT"), e.getMessage());
  }

  @Test
  void opensFromTheEnvironmentWithItsNamespaceAndMount() {
    vault.enableKv("kv");
    Map<String, String> env = new HashMap<>(vault.env());
    env.put("VAULT_NAMESPACE", "team-a");
    SecretStore store = SecretStores.open("vault://kv", dir, env);

    assertEquals("kv", assertInstanceOf(VaultSecretStore.class, store).mount());
    store.write("db/a", admin(PASSWORD), OptionalInt.empty());
    VaultStandIn.Request write = vault.requests().get(vault.requests().size() - 1);
    assertEquals("/v1/kv/data/db/a", write.path());
    assertEquals("team-a", write.namespace());

    SecretStore byDefault = SecretStores.open("vault", dir, vault.env());
    assertEquals("secret", ((VaultSecretStore) byDefault).mount());
  }

  @Test
  void talksTlsToAVaultWhoseCaItIsGiven() {
    try (VaultStandIn tls = VaultStandIn.startTls(dir)) {
      VaultSecretStore trusting = VaultSecretStore.open(tls.settings());
      assertEquals(1, trusting.write("db/a", admin(PASSWORD), OptionalInt.empty()));
      assertEquals(PASSWORD, trusting.read(SecretRef.parse("db/a")).require("password"));

      VaultSecretStore untrusting = VaultSecretStore.open(tls.settings().withCaCert(null));
      SecretStoreException e =
          assertThrows(SecretStoreException.class, () -> untrusting.read(SecretRef.parse("db/a")));
      assertFalse(e instanceof SecretStoreUnavailableException, "retrying cannot fix trust");
      assertTrue(e.getMessage().contains("TLS with Vault at " + tls.address()), e.getMessage());
      assertTrue(e.getMessage().contains("VAULT_CACERT"), e.getMessage());

      VaultSecretStore skipping =
          VaultSecretStore.open(tls.settings().withCaCert(null).withSkipVerify(true));
      assertEquals(PASSWORD, skipping.read(SecretRef.parse("db/a")).require("password"));
    }
  }
}
