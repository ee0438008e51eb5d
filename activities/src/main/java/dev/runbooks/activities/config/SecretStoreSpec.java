package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * Where secrets are read, as {@code secrets:} (or {@code RUNBOOKS_SECRETS}) names it: a JSON file
 * or Vault's KV version 2 engine. Vault's address and credentials come from the environment, never
 * from here.
 */
public sealed interface SecretStoreSpec permits SecretStoreSpec.File, SecretStoreSpec.Vault {

  /**
   * The spec in its canonical text form: {@code file:///path}, {@code vault}, {@code vault://kv}.
   */
  String uri();

  /** A JSON file of secrets. */
  record File(Path path) implements SecretStoreSpec {
    public File {
      Objects.requireNonNull(path, "path");
    }

    @Override
    public String uri() {
      return "file://" + path;
    }
  }

  /**
   * Vault's KV version 2 engine.
   *
   * @param mount where the engine is mounted, without trailing {@code /}; empty for Vault's default
   *     ({@code secret}, or what the environment says)
   */
  record Vault(String mount) implements SecretStoreSpec {
    public Vault {
      Objects.requireNonNull(mount, "mount");
    }

    @Override
    public String uri() {
      return mount.isEmpty() ? "vault" : "vault://" + mount;
    }
  }

  /**
   * Reads {@code file://PATH} (relative paths against {@code base}, left as written when it is
   * null), {@code vault} or {@code vault://MOUNT}.
   *
   * @return null when the text is of none of these kinds, for the caller to say what it expected
   * @throws InvalidSpecException when the path is empty or not a path
   */
  static SecretStoreSpec parse(String written, Path base) {
    if (written == null) {
      return null;
    }
    String rest = SpecText.rest(written);
    String location = SpecText.afterSlashes(rest);
    switch (SpecText.scheme(written)) {
      case "vault":
        if (rest == null) {
          return new Vault("");
        }
        String mount = location == null ? "" : location.replaceAll("/+$", "");
        return SpecText.KV_MOUNT.matcher(mount).matches() ? new Vault(mount) : null;
      case "file":
        return location == null ? null : new File(SpecText.path(location, base));
      default:
        return null;
    }
  }
}
