package dev.runbooks.activities.secrets;

import dev.runbooks.activities.config.InvalidSpecException;
import dev.runbooks.activities.config.SecretStoreSpec;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the secret store a configuration's {@code secrets:} names: a {@link FileSecretStore}, or a
 * {@link VaultSecretStore} on the KV version 2 engine mounted at {@code secret} ({@code vault}) or
 * another mount ({@code vault://kv}, {@code vault://team/kv}).
 *
 * <p>Vault's address and credentials come from the environment ({@code VAULT_ADDR}, {@code
 * VAULT_TOKEN} or {@code VAULT_ROLE_ID} + {@code VAULT_SECRET_ID}, {@code VAULT_NAMESPACE}, {@code
 * VAULT_CACERT}; see {@link VaultSettings#fromEnv}), never from the configuration file.
 */
public final class SecretStores {
  private SecretStores() {}

  /** The store {@code spec} names, with Vault settings from this process's environment. */
  public static SecretStore open(SecretStoreSpec spec) {
    return open(spec, System.getenv());
  }

  /**
   * The store {@code spec} names, reading Vault's settings from {@code env}.
   *
   * @throws IllegalArgumentException for Vault without {@code VAULT_ADDR} or credentials in the
   *     environment, or a mount Vault's settings refuse
   */
  public static SecretStore open(SecretStoreSpec spec, Map<String, String> env) {
    if (spec instanceof SecretStoreSpec.File file) {
      return new FileSecretStore(file.path());
    }
    if (!(spec instanceof SecretStoreSpec.Vault vault)) {
      throw new IllegalArgumentException("no secret store is named");
    }
    if (vault.mount().isEmpty()) {
      return VaultSecretStore.open(VaultSettings.fromEnv(env));
    }
    VaultSettings settings;
    try {
      settings = VaultSettings.fromEnv(env).withKvMount(vault.mount());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "secret store \""
              + vault.uri()
              + "\" names no usable KV mount: "
              + e.getMessage()
              + "; expected vault://MOUNT such as vault://secret",
          e);
    }
    return VaultSecretStore.open(settings);
  }

  /**
   * The store for the text {@code spec}, with Vault settings from this process's environment.
   *
   * @param spec {@code file:///absolute/secrets.json}, {@code file://relative/secrets.json}
   *     (against {@code configDir}), {@code vault} or {@code vault://MOUNT}
   * @param configDir the configuration file's directory
   * @throws IllegalArgumentException for any other spec, or a Vault spec without {@code VAULT_ADDR}
   *     or credentials in the environment
   */
  public static SecretStore open(String spec, Path configDir) {
    return open(spec, configDir, System.getenv());
  }

  /**
   * The store for the text {@code spec}, reading Vault's settings from {@code env}.
   *
   * @see #open(String, Path)
   */
  public static SecretStore open(String spec, Path configDir, Map<String, String> env) {
    SecretStoreSpec parsed;
    String problem = "";
    try {
      parsed = SecretStoreSpec.parse(spec, configDir);
    } catch (InvalidSpecException e) {
      parsed = null;
      problem = " (" + e.problem() + ")";
    }
    if (parsed == null) {
      throw new IllegalArgumentException(
          "\""
              + spec
              + "\" is not a secret store"
              + problem
              + "; expected file:///path/secrets.json (a local file), vault (Vault KV v2 at"
              + " VAULT_ADDR, mount secret) or vault://MOUNT");
    }
    return open(parsed, env);
  }
}
