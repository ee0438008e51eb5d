package dev.runbooks.activities.backup.crypto;

import dev.runbooks.activities.config.EncryptionSpec;
import dev.runbooks.activities.config.InvalidSpecException;
import java.util.Map;

/** Opens the key-encryption key a configuration's {@code encryption:} names. */
public final class KeyEncryptionKeys {
  private KeyEncryptionKeys() {}

  /**
   * The key {@code spec} names: a local Tink keyset file (created on first use) or a Vault transit
   * key.
   *
   * @param env the environment Vault's address and credentials come from ({@code VAULT_ADDR},
   *     {@code VAULT_TOKEN}, ...; see {@link dev.runbooks.activities.secrets.VaultSettings})
   * @throws IllegalArgumentException for a Vault key without {@code VAULT_ADDR} or credentials in
   *     {@code env}
   */
  public static KeyEncryptionKey open(EncryptionSpec spec, Map<String, String> env) {
    return open(spec, env, KeysetCreation.ALWAYS);
  }

  /**
   * The key {@code spec} names; a local keyset that does not exist is made only when {@code
   * creation} allows it.
   */
  public static KeyEncryptionKey open(
      EncryptionSpec spec, Map<String, String> env, KeysetCreation creation) {
    if (spec instanceof EncryptionSpec.VaultTransit transit) {
      return VaultTransitKek.open(transit.key(), env);
    }
    if (spec instanceof EncryptionSpec.LocalKeyset local) {
      return LocalKeysetKek.open(local.file(), creation);
    }
    throw new IllegalArgumentException("no encryption key is named");
  }

  /**
   * The key for the text {@code spec}: {@code local-keyset:/absolute/path/keyset.json} or {@code
   * vault-transit:NAME}.
   *
   * @throws IllegalArgumentException for any other spec, a relative keyset path, or a Vault key
   *     without {@code VAULT_ADDR} or credentials in {@code env}
   */
  public static KeyEncryptionKey open(String spec, Map<String, String> env) {
    EncryptionSpec parsed;
    try {
      parsed = EncryptionSpec.parse(spec, null);
    } catch (InvalidSpecException e) {
      parsed = null;
    }
    if (parsed instanceof EncryptionSpec.LocalKeyset local && !local.file().isAbsolute()) {
      parsed = null;
    }
    if (parsed == null) {
      throw new IllegalArgumentException(
          "\""
              + spec
              + "\" is not an encryption key; expected local-keyset:/path/keyset.json (a local Tink"
              + " keyset) or vault-transit:NAME (a Vault transit key)");
    }
    return open(parsed, env);
  }
}
