package dev.runbooks.activities.backup.crypto;

import java.util.Map;

/** Opens the key-encryption key a configuration's {@code encryption:} spec names. */
public final class KeyEncryptionKeys {
  private KeyEncryptionKeys() {}

  /**
   * The key for {@code spec}.
   *
   * @param spec {@code local-keyset:/absolute/path/keyset.json} (a Tink keyset file, created on
   *     first use) or {@code vault-transit:NAME} (a Vault transit key)
   * @param env the environment Vault's address and credentials come from ({@code VAULT_ADDR},
   *     {@code VAULT_TOKEN}, ...; see {@link dev.runbooks.activities.secrets.VaultSettings})
   * @throws IllegalArgumentException for any other spec, or a Vault key without {@code VAULT_ADDR}
   *     or credentials in {@code env}
   */
  public static KeyEncryptionKey open(String spec, Map<String, String> env) {
    return open(spec, env, KeysetCreation.ALWAYS);
  }

  /**
   * The key for {@code spec}; a local keyset that does not exist is made only when {@code creation}
   * allows it.
   */
  public static KeyEncryptionKey open(
      String spec, Map<String, String> env, KeysetCreation creation) {
    if (spec != null && spec.startsWith(LocalKeysetKek.SCHEME)) {
      return LocalKeysetKek.fromUri(spec, creation);
    }
    if (spec != null && spec.startsWith(VaultTransitKek.SCHEME)) {
      return VaultTransitKek.fromUri(spec, env);
    }
    throw new IllegalArgumentException(
        "\""
            + spec
            + "\" is not an encryption key; expected local-keyset:/path/keyset.json (a local Tink"
            + " keyset) or vault-transit:NAME (a Vault transit key)");
  }
}
