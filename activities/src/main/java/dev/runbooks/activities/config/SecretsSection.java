package dev.runbooks.activities.config;

import java.nio.file.Path;

/**
 * Where secrets are read: {@code RUNBOOKS_SECRETS} when set, else {@code secrets:}, else the file
 * {@code secrets.json} beside the configuration.
 */
final class SecretsSection {
  private final Values values;

  SecretsSection(Values values) {
    this.values = values;
  }

  SecretStoreSpec secrets(String written) {
    String key = "secrets";
    String fromEnv = values.env(ConfigLoader.ENV_SECRETS);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return secretsSpec(key, fromEnv, ConfigLoader.ENV_SECRETS, Path.of("").toAbsolutePath());
    }
    if (written == null) {
      return new SecretStoreSpec.File(values.directory().resolve("secrets.json"));
    }
    return secretsSpec(key, written, null, values.directory());
  }

  private SecretStoreSpec secretsSpec(String key, String written, String envName, Path base) {
    SecretStoreSpec spec = values.spec(key, () -> SecretStoreSpec.parse(written, base));
    if (spec != null) {
      return spec;
    }
    String shown = envName == null ? "\"" + written + "\"" : envName + "=\"" + written + "\"";
    throw values.error(
        key,
        shown + " is not a secret store; expected file://PATH, vault or vault://MOUNT",
        (envName == null ? "" : "unset " + envName + " or ")
            + "write file:///var/lib/runbooks/secrets.json (a local file), or vault (Vault KV v2"
            + " at VAULT_ADDR).");
  }
}
