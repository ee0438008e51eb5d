package dev.runbooks.activities.backup.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.secrets.VaultClient;
import dev.runbooks.activities.testing.VaultStandIn;
import dev.runbooks.workflows.shared.FailureType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Backup data keys wrapped by a Vault transit key, on the Vault stand-in. */
class VaultTransitKekTest {
  private static final byte[] DATA_KEY =
      "a serialized data keyset".getBytes(StandardCharsets.UTF_8);
  private static final byte[] AD = "backup orders/20261124T020000".getBytes(StandardCharsets.UTF_8);

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

  private VaultTransitKek kek(String name) {
    return new VaultTransitKek(new VaultClient(vault.settings()), name);
  }

  @Test
  void wrapsWithTransitEncryptAndUnwrapsWithTransitDecrypt() {
    VaultTransitKek kek = kek("backups");
    assertEquals("vault-transit:backups", kek.keyId());

    byte[] wrapped = kek.wrap(DATA_KEY);
    String ciphertext = new String(wrapped, StandardCharsets.US_ASCII);
    assertTrue(ciphertext.startsWith("vault:v1:"), ciphertext);
    assertFalse(ciphertext.contains(Base64.getEncoder().encodeToString(DATA_KEY)));
    assertArrayEquals(DATA_KEY, kek.unwrap(wrapped, "vault-transit:backups"));
    // Another client of the same Vault and key (another worker) unwraps it too.
    assertArrayEquals(DATA_KEY, kek("backups").unwrap(wrapped, "vault-transit:backups"));
    assertNotEquals(ciphertext, new String(kek.wrap(DATA_KEY), StandardCharsets.US_ASCII));

    assertTrue(
        vault.requests().stream()
            .anyMatch(
                r -> r.method().equals("POST") && r.path().equals("/v1/transit/encrypt/backups")));
    assertTrue(
        vault.requests().stream()
            .anyMatch(
                r -> r.method().equals("POST") && r.path().equals("/v1/transit/decrypt/backups")));
  }

  @Test
  void refusesABackupWrappedByAnotherKeyNamingTheKeyItNeeds() {
    byte[] wrapped = kek("nightly").wrap(DATA_KEY);
    VaultTransitKek configured = kek("backups");

    WrongKeyException e =
        assertThrows(
            WrongKeyException.class, () -> configured.unwrap(wrapped, "vault-transit:nightly"));
    assertEquals("vault-transit:nightly", e.neededKeyId());
    assertTrue(e.getMessage().contains("vault-transit:nightly"), e.getMessage());
    assertTrue(e.getMessage().contains("vault-transit:backups"), e.getMessage());
    assertEquals(FailureType.BAD_INPUT, e.type());

    LocalKeysetKek local = LocalKeysetKek.open(dir.resolve("kek.json"));
    WrongKeyException fromLocal =
        assertThrows(
            WrongKeyException.class, () -> configured.unwrap(local.wrap(DATA_KEY), local.keyId()));
    assertEquals(local.keyId(), fromLocal.neededKeyId());
    assertThrows(WrongKeyException.class, () -> local.unwrap(wrapped, "vault-transit:nightly"));
  }

  @Test
  void aCiphertextOfAnotherTransitKeyDoesNotDecrypt() {
    byte[] wrapped = kek("nightly").wrap(DATA_KEY);
    VaultTransitKek other = kek("backups");
    other.wrap(DATA_KEY); // makes the key, as the first backup would

    // A manifest edited to name the configured key: Vault's AES-GCM finds out.
    CorruptedBackupException e =
        assertThrows(
            CorruptedBackupException.class, () -> other.unwrap(wrapped, "vault-transit:backups"));
    assertTrue(e.getMessage().contains("message authentication failed"), e.getMessage());
    assertTrue(e.getMessage().contains("restore from another backup"), e.getMessage());

    assertThrows(
        CorruptedBackupException.class,
        () ->
            other.unwrap(
                "not-a-ciphertext".getBytes(StandardCharsets.US_ASCII), "vault-transit:backups"));
  }

  @Test
  void saysWhenTheTransitKeyIsGone() {
    byte[] wrapped = kek("nightly").wrap(DATA_KEY);
    PermanentBackupException e =
        assertThrows(
            PermanentBackupException.class,
            () -> kek("deleted").unwrap(wrapped, "vault-transit:deleted"));
    assertEquals(FailureType.NOT_FOUND, e.type());
    assertTrue(e.getMessage().contains("has no transit key deleted"), e.getMessage());
  }

  @Test
  void aSealedVaultIsRetryableAndARefusalIsNot() {
    VaultTransitKek kek = kek("backups");
    byte[] wrapped = kek.wrap(DATA_KEY);
    vault.seal();
    UncheckedIOException sealed =
        assertThrows(UncheckedIOException.class, () -> kek.unwrap(wrapped, kek.keyId()));
    assertTrue(sealed.getMessage().contains(vault.address()), sealed.getMessage());
    assertTrue(sealed.getMessage().contains("sealed"), sealed.getMessage());
    assertThrows(UncheckedIOException.class, () -> kek.wrap(DATA_KEY));
    vault.unseal();

    String token = vault.createToken("secret/");
    VaultTransitKek denied =
        new VaultTransitKek(new VaultClient(vault.settings().withToken(token)), "backups");
    PermanentBackupException e =
        assertThrows(PermanentBackupException.class, () -> denied.wrap(DATA_KEY));
    assertEquals(FailureType.PERMISSION_DENIED, e.type());
    assertTrue(e.getMessage().contains("transit/encrypt/backups"), e.getMessage());
    assertTrue(e.getMessage().contains("check VAULT_TOKEN / the policy"), e.getMessage());
    assertFalse(e.getMessage().contains(token), e.getMessage());
  }

  @Test
  void encryptsAndDecryptsABackupWithAVaultWrappedDataKey() throws IOException {
    BackupCipher cipher = new BackupCipher();
    VaultTransitKek kek = kek("backups");
    byte[] plaintext = new byte[3 * 1024 * 1024 + 17];
    new Random(42).nextBytes(plaintext);

    DataKey key = cipher.newDataKey(kek);
    assertEquals("vault-transit:backups", key.wrapped().kekId());
    ByteArrayOutputStream stored = new ByteArrayOutputStream();
    try (OutputStream out = cipher.encrypt(stored, key, AD)) {
      out.write(plaintext);
    }

    // A restore elsewhere has only the manifest's wrapped key and the transit key's name.
    VaultTransitKek restoring = kek("backups");
    try (InputStream in =
        cipher.decrypt(
            new ByteArrayInputStream(stored.toByteArray()), key.wrapped(), restoring, AD)) {
      assertArrayEquals(plaintext, in.readAllBytes());
    }
    assertThrows(
        WrongKeyException.class,
        () ->
            cipher.decrypt(
                new ByteArrayInputStream(stored.toByteArray()), key.wrapped(), kek("other"), AD));
  }

  @Test
  void opensTheKeyTheEncryptionSpecNames() {
    KeyEncryptionKey vaultKey = KeyEncryptionKeys.open("vault-transit:backups", vault.env());
    assertEquals("backups", assertInstanceOf(VaultTransitKek.class, vaultKey).name());
    assertArrayEquals(DATA_KEY, vaultKey.unwrap(vaultKey.wrap(DATA_KEY), vaultKey.keyId()));
    assertFalse(vaultKey.toString().contains(vault.rootToken()), vaultKey.toString());

    Path keyset = dir.resolve("keyset.json");
    assertEquals(
        keyset,
        assertInstanceOf(
                LocalKeysetKek.class, KeyEncryptionKeys.open("local-keyset:" + keyset, Map.of()))
            .file());

    for (String spec : new String[] {"tink:/k.json", "vault-transit:", "vault-transit:a b", null}) {
      assertThrows(IllegalArgumentException.class, () -> KeyEncryptionKeys.open(spec, vault.env()));
    }
    IllegalArgumentException noVault =
        assertThrows(
            IllegalArgumentException.class,
            () -> KeyEncryptionKeys.open("vault-transit:backups", Map.of()));
    assertTrue(noVault.getMessage().contains("VAULT_ADDR"), noVault.getMessage());
  }

  @Test
  void theStandInsDataKeysDecryptToTheirPlaintext() {
    VaultClient client = new VaultClient(vault.settings());
    kek("backups").wrap(DATA_KEY);
    VaultClient.Reply datakey = client.write("transit/datakey/plaintext/backups", Map.of());
    assertEquals(200, datakey.status());
    String plaintext = datakey.data().path("plaintext").asText();
    assertEquals(32, Base64.getDecoder().decode(plaintext).length);
    String ciphertext = datakey.data().path("ciphertext").asText();
    assertTrue(ciphertext.startsWith("vault:v1:"), ciphertext);
    assertFalse(datakey.toString().contains(plaintext), "a reply's toString hides its body");

    VaultClient.Reply decrypted =
        client.write("transit/decrypt/backups", Map.of("ciphertext", ciphertext));
    assertEquals(plaintext, decrypted.data().path("plaintext").asText());

    VaultClient.Reply unknown = client.write("transit/datakey/plaintext/none", Map.of());
    assertEquals(400, unknown.status());
    assertEquals("encryption key not found", unknown.errorText());
  }
}
