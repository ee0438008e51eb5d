package dev.runbooks.activities.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runbooks.workflows.backup.RetentionPolicy;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads and validates {@code runbooks.yaml}. Every mistake is a {@link ConfigException} naming the
 * file, the key and the fix; the first one found is reported.
 *
 * <p>Where the file leaves something out, the environment supplies it the way its ecosystem does:
 *
 * <ul>
 *   <li>libpq's {@code PGHOST}, {@code PGPORT} and {@code PGSSLMODE} give a target's primary its
 *       host, port and sslmode (and a replica its port) when the file does not; values in the file
 *       win, as they do over the environment in libpq. Without either: {@code localhost}, {@code
 *       5432}, {@code prefer}. Runbooks connects over TCP with JDBC, so a {@code PGHOST} naming a
 *       Unix socket directory or several hosts is refused when it would be used.
 *   <li>{@code RUNBOOKS_SECRETS} replaces {@code secrets:}; a relative {@code file://} path in it
 *       is resolved against the working directory, as any path given on a command line would be.
 *       Without either, the secret store is the file {@code secrets.json} beside the configuration.
 *   <li>{@code RUNBOOKS_CONFIG} names the file when {@code --config} does not (see {@link
 *       #locate}).
 * </ul>
 *
 * <p>Relative paths in the file ({@code migrations}, {@code file://} and {@code local-keyset:}
 * specs) are resolved against the configuration file's directory, so the file means the same from
 * any working directory. Vault ({@code VAULT_ADDR}, {@code VAULT_TOKEN}) and AWS settings are read
 * by their adapters, not here.
 */
public final class ConfigLoader {
  public static final String DEFAULT_FILE = "runbooks.yaml";
  public static final String ENV_CONFIG = "RUNBOOKS_CONFIG";
  public static final String ENV_SECRETS = "RUNBOOKS_SECRETS";
  public static final String DEFAULT_HOST = "localhost";
  public static final int DEFAULT_PORT = 5432;
  public static final String DEFAULT_SSLMODE = "prefer";

  /** libpq's sslmodes, weakest first. */
  public static final List<String> SSL_MODES =
      List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full");

  private static final ObjectMapper YAML =
      YAMLMapper.builder(
              YAMLFactory.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
          .withCoercionConfigDefaults(
              // "orders:" with nothing after it is null, not an empty string to coerce.
              c -> c.setCoercion(CoercionInputShape.EmptyString, CoercionAction.AsNull))
          .build();

  private ConfigLoader() {}

  /**
   * Which file to read: {@code --config FILE} when given, else {@code RUNBOOKS_CONFIG} when set and
   * not empty, else {@code ./runbooks.yaml}.
   *
   * @param configOption the value of {@code --config}, or null when it was not given
   */
  public static Path locate(String configOption, Map<String, String> env) {
    if (configOption != null && !configOption.isBlank()) {
      return Path.of(configOption);
    }
    String fromEnv = env.get(ENV_CONFIG);
    if (fromEnv != null && !fromEnv.isBlank()) {
      return Path.of(fromEnv);
    }
    return Path.of(DEFAULT_FILE);
  }

  /** {@link #load(Path, Map)} with the process environment. */
  public static RunbooksConfig load(Path file) {
    return load(file, System.getenv());
  }

  /**
   * Reads, validates and resolves a configuration file.
   *
   * @param env the environment ({@code System.getenv()} outside tests)
   * @throws ConfigException for the first mistake found
   */
  public static RunbooksConfig load(Path file, Map<String, String> env) {
    return load(file, ConfigFile.read(file), env);
  }

  /**
   * As {@link #load(Path, Map)}, from {@code content} already read from {@code file}: the bytes a
   * {@link ConfigSource} digested, so the digest and the configuration always match.
   */
  static RunbooksConfig load(Path file, byte[] content, Map<String, String> env) {
    RawConfig raw = parse(file, content);
    return config(raw, new Values(file, env), file);
  }

  private static RawConfig parse(Path file, byte[] content) {
    try (JsonParser parser = YAML.createParser(content)) {
      if (parser.nextToken() == null) {
        return null;
      }
      return YAML.readValue(parser, RawConfig.class);
    } catch (IOException e) {
      throw new YamlErrors(file, content, YAML).translate(e);
    }
  }

  /** Turns what was written into records, each section checking its values where they are used. */
  private static RunbooksConfig config(RawConfig raw, Values values, Path file) {
    if (raw == null || raw.targets() == null || raw.targets().isEmpty()) {
      throw values.error(
          "targets",
          "no targets are configured; the runbooks need at least one database to work on",
          "add a target, for example:\n"
              + "targets:\n"
              + "  orders:\n"
              + "    primary: { host: db1, port: 5432, database: orders }\n"
              + "    admin: { secret: db/orders/admin }");
    }
    BackupSection backup = new BackupSection(values);
    TargetSection targetSection = new TargetSection(values, backup);
    RetentionPolicy retention =
        backup.retention("retention", raw.retention(), RetentionPolicy.keepEverything());
    Duration freshness = values.duration("backupFreshness", raw.backupFreshness(), null);
    Duration walFreshness = values.duration("walFreshness", raw.walFreshness(), null);
    Map<String, TargetConfig> targets = new LinkedHashMap<>();
    for (Map.Entry<String, RawConfig.Target> entry : raw.targets().entrySet()) {
      targets.put(
          entry.getKey(),
          targetSection.target(
              entry.getKey(), entry.getValue(), retention, freshness, walFreshness));
    }
    return new RunbooksConfig(
        file,
        targets,
        backup.repository(raw.repository()),
        new SecretsSection(values).secrets(raw.secrets()),
        backup.encryption(raw.encryption()),
        new CheckSection(values).check(raw.check()),
        values.bool("payloadEncryption", raw.payloadEncryption(), false));
  }
}
