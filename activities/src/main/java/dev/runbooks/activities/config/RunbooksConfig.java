package dev.runbooks.activities.config;

import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The validated contents of {@code runbooks.yaml}, made by {@link ConfigLoader}. Relative paths are
 * already resolved: the paths in the specs here are absolute.
 *
 * @param file the configuration file it was read from
 * @param targets by name, in the file's order
 * @param repository a directory or an S3 bucket, or null when none is set
 * @param secrets a secrets file or Vault; never null
 * @param encryption a local keyset or a Vault transit key, or null when none is set
 * @param payloadEncryption whether workers and clients encrypt Temporal payloads with that key
 */
public record RunbooksConfig(
    Path file,
    Map<String, TargetConfig> targets,
    RepositorySpec repository,
    SecretStoreSpec secrets,
    EncryptionSpec encryption,
    CheckSettings check,
    boolean payloadEncryption) {
  public RunbooksConfig {
    Objects.requireNonNull(file, "file");
    targets = Collections.unmodifiableMap(new LinkedHashMap<>(targets));
    Objects.requireNonNull(secrets, "secrets");
    Objects.requireNonNull(check, "check");
  }

  /** A configuration whose Temporal payloads are not encrypted. */
  public RunbooksConfig(
      Path file,
      Map<String, TargetConfig> targets,
      RepositorySpec repository,
      SecretStoreSpec secrets,
      EncryptionSpec encryption,
      CheckSettings check) {
    this(file, targets, repository, secrets, encryption, check, false);
  }

  /** The directory relative paths in the file are resolved against. */
  public Path directory() {
    Path parent = file.toAbsolutePath().getParent();
    return parent == null ? file.toAbsolutePath() : parent;
  }

  /**
   * The target of this name.
   *
   * @throws ConfigException for an unknown name, listing the known ones
   */
  public TargetConfig target(String name) {
    TargetConfig target = targets.get(name);
    if (target == null) {
      throw new ConfigException(
          file,
          "targets",
          "unknown target \"" + name + "\"; known targets: " + String.join(", ", targets.keySet()),
          "use one of the known targets, or add \"" + name + "\" under targets: in " + file + ".");
    }
    return target;
  }
}
