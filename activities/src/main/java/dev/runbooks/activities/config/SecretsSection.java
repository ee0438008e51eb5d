package dev.runbooks.activities.config;

import java.nio.file.Path;

/**
 * Where secrets are read: {@code RUNBOOKS_SECRETS} when set, else {@code secrets:}, else the file
 * {@code secrets.json} beside the configuration.
 */
final class SecretsSection {
  private static final String FILE_SCHEME = "file://";

  private final Values values;

  SecretsSection(Values values) {
    this.values = values;
  }

  String secrets(String written) {
    String key = "secrets";
    String fromEnv = values.env(ConfigLoader.ENV_SECRETS);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return secretsSpec(key, fromEnv, ConfigLoader.ENV_SECRETS, Path.of("").toAbsolutePath());
    }
    if (written == null) {
      return FILE_SCHEME + values.directory().resolve("secrets.json");
    }
    return secretsSpec(key, written, null, values.directory());
  }

  private String secretsSpec(String key, String spec, String envName, Path base) {
    if (spec.equals("vault") || spec.matches("vault://[A-Za-z0-9_/-]+")) {
      return spec;
    }
    if (spec.startsWith(FILE_SCHEME)) {
      return FILE_SCHEME + values.path(key, spec.substring(FILE_SCHEME.length()), base);
    }
    String shown = envName == null ? "\"" + spec + "\"" : envName + "=\"" + spec + "\"";
    throw values.error(
        key,
        shown + " is not a secret store; expected file://PATH, vault or vault://MOUNT",
        (envName == null ? "" : "unset " + envName + " or ")
            + "write file:///var/lib/runbooks/secrets.json (a local file), or vault (Vault KV v2"
            + " at VAULT_ADDR).");
  }
}
