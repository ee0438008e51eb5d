package dev.runbooks.activities.secrets;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Opens the secret store a configuration's {@code secrets:} spec names:
 *
 * <ul>
 *   <li>{@code file:///absolute/secrets.json} or {@code file://relative/secrets.json} (against the
 *       configuration's directory): a {@link FileSecretStore}
 *   <li>{@code vault}: a {@link VaultSecretStore} on the KV version 2 engine mounted at {@code
 *       secret}
 *   <li>{@code vault://MOUNT}: the same on another mount, such as {@code vault://kv} or {@code
 *       vault://team/kv}
 * </ul>
 *
 * Vault's address and credentials come from the environment ({@code VAULT_ADDR}, {@code
 * VAULT_TOKEN} or {@code VAULT_ROLE_ID} + {@code VAULT_SECRET_ID}, {@code VAULT_NAMESPACE}, {@code
 * VAULT_CACERT}; see {@link VaultSettings#fromEnv}), never from the configuration file.
 */
public final class SecretStores {
  private static final String FILE_SCHEME = "file://";
  private static final String VAULT = "vault";
  private static final String VAULT_SCHEME = "vault://";

  private SecretStores() {}

  /**
   * The store for {@code spec}, with Vault settings from this process's environment.
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
   * The store for {@code spec}, reading Vault's settings from {@code env}.
   *
   * @see #open(String, Path)
   */
  public static SecretStore open(String spec, Path configDir, Map<String, String> env) {
    if (spec != null && spec.startsWith(FILE_SCHEME)) {
      String path = spec.substring(FILE_SCHEME.length());
      if (path.isBlank()) {
        throw new IllegalArgumentException(
            "secret store \"" + spec + "\" names no file; expected file:///path/secrets.json");
      }
      try {
        return new FileSecretStore(configDir.resolve(path).normalize());
      } catch (InvalidPathException e) {
        throw new IllegalArgumentException(
            "secret store \"" + spec + "\" is not a valid path: " + e.getReason(), e);
      }
    }
    if (VAULT.equals(spec)) {
      return VaultSecretStore.open(VaultSettings.fromEnv(env));
    }
    if (spec != null && spec.startsWith(VAULT_SCHEME)) {
      String mount = spec.substring(VAULT_SCHEME.length());
      while (mount.endsWith("/")) {
        mount = mount.substring(0, mount.length() - 1);
      }
      VaultSettings settings;
      try {
        settings = VaultSettings.fromEnv(env).withKvMount(mount);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "secret store \""
                + spec
                + "\" names no usable KV mount: "
                + e.getMessage()
                + "; expected vault://MOUNT such as vault://secret",
            e);
      }
      return VaultSecretStore.open(settings);
    }
    throw new IllegalArgumentException(
        "\""
            + spec
            + "\" is not a secret store; expected file:///path/secrets.json (a local file), vault"
            + " (Vault KV v2 at VAULT_ADDR, mount secret) or vault://MOUNT");
  }
}
