package dev.runbooks.activities.secrets;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/** Opens the secret store a configuration's {@code secrets:} spec names. */
public final class SecretStores {
  private static final String FILE_SCHEME = "file://";

  private SecretStores() {}

  /**
   * The store for {@code spec}.
   *
   * @param spec {@code file:///absolute/secrets.json}, {@code file://relative/secrets.json}
   *     (against {@code configDir}), or {@code vault}
   * @param configDir the configuration file's directory
   * @throws IllegalStateException for {@code vault}, which is not available yet
   * @throws IllegalArgumentException for any other spec
   */
  public static SecretStore open(String spec, Path configDir) {
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
    if ("vault".equals(spec)) {
      throw new IllegalStateException(
          "Vault secret store arrives with credential rotation; use file:///path/secrets.json"
              + " (secrets: in runbooks.yaml, or RUNBOOKS_SECRETS) for now");
    }
    throw new IllegalArgumentException(
        "\""
            + spec
            + "\" is not a secret store; expected file:///path/secrets.json (a local file) or"
            + " vault");
  }
}
