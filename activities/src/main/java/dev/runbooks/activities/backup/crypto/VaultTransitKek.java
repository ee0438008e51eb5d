package dev.runbooks.activities.backup.crypto;

import dev.runbooks.activities.backup.PermanentBackupException;
import dev.runbooks.activities.secrets.SecretStoreAccessDeniedException;
import dev.runbooks.activities.secrets.SecretStoreException;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.activities.secrets.VaultClient;
import dev.runbooks.activities.secrets.VaultSettings;
import dev.runbooks.workflows.shared.FailureType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A key-encryption key held by Vault's transit secrets engine, named in the configuration as {@code
 * vault-transit:NAME}: a backup's data keyset is sent to {@code transit/encrypt/NAME} and the
 * manifest keeps Vault's ciphertext ({@code vault:v1:...}); a restore sends it to {@code
 * transit/decrypt/NAME}. The key itself never leaves Vault, and rotating it there ({@code vault
 * write -f transit/keys/NAME/rotate}) keeps old backups readable, so the key id stays {@code
 * vault-transit:NAME} across rotations.
 *
 * <p>Requests go through {@link VaultClient}, which sends them with vault-java-driver's {@code
 * logical()} configured for plain (non-KV) paths: the driver has no transit API of its own, and
 * this keeps one token, one login and one TLS setup for the secret store and the backups.
 *
 * <p>Failures: a 403 is a permanent {@link FailureType#PERMISSION_DENIED}; a sealed, failing or
 * unreachable Vault an {@link UncheckedIOException} (transient, retried); a backup wrapped by
 * another key a {@link WrongKeyException}; a wrapped key that does not decrypt a {@link
 * CorruptedBackupException}.
 */
public final class VaultTransitKek implements KeyEncryptionKey {
  /** The configuration's scheme for this kind of key. */
  public static final String SCHEME = "vault-transit:";

  /** How every ciphertext of Vault's transit engine begins ({@code vault:v1:...}). */
  private static final String TRANSIT_CIPHERTEXT = "vault:v";

  private static final Pattern KEY_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  private final VaultClient client;
  private final String name;
  private final String keyId;

  /**
   * The transit key {@code name} on {@code client}'s transit mount.
   *
   * @throws IllegalArgumentException when {@code name} is not a transit key name
   */
  public VaultTransitKek(VaultClient client, String name) {
    this.client = Objects.requireNonNull(client, "client");
    if (name == null || !KEY_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException(
          "\""
              + name
              + "\" is not a Vault transit key name; expected letters, digits, '.', '_' and '-',"
              + " such as backups");
    }
    this.name = name;
    this.keyId = SCHEME + name;
  }

  /**
   * The transit key {@code name}, with Vault's settings from {@code env} ({@link
   * VaultSettings#fromEnv}).
   *
   * @throws IllegalArgumentException when {@code name} is not a transit key name, or the
   *     environment names no Vault address or credentials
   */
  public static VaultTransitKek open(String name, Map<String, String> env) {
    return new VaultTransitKek(new VaultClient(VaultSettings.fromEnv(env)), name);
  }

  @Override
  public String keyId() {
    return keyId;
  }

  /** The transit key's name in Vault. */
  public String name() {
    return name;
  }

  @Override
  public byte[] wrap(byte[] plaintextKeyset) {
    String path = transitPath("encrypt");
    VaultClient.Reply reply =
        call(
            path,
            "wrap a backup data key",
            Map.of("plaintext", Base64.getEncoder().encodeToString(plaintextKeyset)));
    String ciphertext = reply.data().path("ciphertext").asText("");
    if (!reply.ok() || !ciphertext.startsWith(TRANSIT_CIPHERTEXT)) {
      throw new PermanentBackupException(
          FailureType.BAD_INPUT,
          "Vault at "
              + client.address()
              + " did not encrypt with transit key "
              + name
              + " ("
              + path
              + ": HTTP "
              + reply.status()
              + ", "
              + reply.errorText()
              + "): expected a vault:v1:... ciphertext. Fix: check that transit is mounted at "
              + client.settings().mounts().transit()
              + " and the key exists (vault write -f "
              + client.settings().mounts().transit()
              + "/keys/"
              + name
              + ").");
    }
    return ciphertext.getBytes(StandardCharsets.US_ASCII);
  }

  @Override
  public byte[] unwrap(byte[] wrapped, String wrappedBy) {
    if (!keyId.equals(wrappedBy)) {
      throw new WrongKeyException(wrappedBy, keyId + " (Vault at " + client.address() + ")");
    }
    String ciphertext = new String(wrapped, StandardCharsets.US_ASCII);
    if (!ciphertext.startsWith(TRANSIT_CIPHERTEXT)) {
      throw new CorruptedBackupException(
          "the manifest's wrapped data key is not a Vault transit ciphertext (vault:v1:...)"
              + " although the manifest names "
              + keyId
              + ": the manifest is corrupted; restore from another backup",
          null);
    }
    String path = transitPath("decrypt");
    String purpose = "unwrap a backup data key";
    VaultClient.Reply reply;
    try {
      reply = client.write(path, Map.of("ciphertext", ciphertext));
    } catch (SecretStoreUnavailableException e) {
      // Some Vault versions answer a failed authentication with 500 rather than 400.
      if (e.errors().stream().anyMatch(VaultTransitKek::isAuthenticationFailure)) {
        throw doesNotDecrypt(String.join("; ", e.errors()));
      }
      throw translate(e, purpose);
    } catch (SecretStoreException e) {
      throw translate(e, purpose);
    }
    if (reply.status() == 400 && reply.errors().stream().anyMatch(VaultTransitKek::isMissingKey)) {
      throw new PermanentBackupException(
          FailureType.NOT_FOUND,
          "Vault at "
              + client.address()
              + " has no transit key "
              + name
              + " ("
              + reply.errorText()
              + "), which wrapped this backup's data key. Fix: restore the key into Vault"
              + " (vault write "
              + client.settings().mounts().transit()
              + "/restore/"
              + name
              + " from its backup), or point VAULT_ADDR at the Vault that holds it.");
    }
    if (!reply.ok()) {
      throw doesNotDecrypt(reply.errorText());
    }
    String plaintext = reply.data().path("plaintext").asText("");
    try {
      return Base64.getDecoder().decode(plaintext);
    } catch (IllegalArgumentException e) {
      throw new CorruptedBackupException(
          "Vault transit key " + name + " returned a data key that is not base64", e);
    }
  }

  @Override
  public String toString() {
    return "VaultTransitKek[" + keyId + " at " + client.address() + "]";
  }

  private CorruptedBackupException doesNotDecrypt(String vaultSays) {
    return new CorruptedBackupException(
        "the wrapped data key in the manifest does not decrypt with "
            + keyId
            + " (Vault: "
            + vaultSays
            + "): the manifest's wrappedKey was modified, or the transit key "
            + name
            + " was deleted and made again; restore from another backup",
        null);
  }

  private String transitPath(String operation) {
    return client.settings().mounts().transit() + "/" + operation + "/" + name;
  }

  private VaultClient.Reply call(String path, String purpose, Map<String, Object> body) {
    try {
      return client.write(path, body);
    } catch (SecretStoreException e) {
      throw translate(e, purpose);
    }
  }

  /** Into the backup world's terms: permanent faults typed, transient ones as I/O failures. */
  private RuntimeException translate(SecretStoreException e, String purpose) {
    String prefix = "cannot " + purpose + " with " + keyId + ": ";
    if (e instanceof SecretStoreAccessDeniedException) {
      return new PermanentBackupException(
          FailureType.PERMISSION_DENIED,
          prefix
              + e.getMessage()
              + " The policy needs update on "
              + transitPath("encrypt")
              + " and "
              + transitPath("decrypt")
              + ".");
    }
    if (e instanceof SecretStoreUnavailableException) {
      return new UncheckedIOException(new IOException(prefix + e.getMessage(), e));
    }
    return new PermanentBackupException(FailureType.BAD_INPUT, prefix + e.getMessage(), e);
  }

  private static boolean isAuthenticationFailure(String error) {
    String e = error.toLowerCase(Locale.ROOT);
    return e.contains("message authentication failed") || e.contains("invalid ciphertext");
  }

  private static boolean isMissingKey(String error) {
    return error.toLowerCase(Locale.ROOT).contains("key not found");
  }
}
