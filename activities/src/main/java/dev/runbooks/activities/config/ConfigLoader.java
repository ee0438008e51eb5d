package dev.runbooks.activities.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.SecretRef;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

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

  private static final Pattern TARGET_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern REPLICA_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");
  private static final Pattern S3_BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
  private static final Pattern TRANSIT_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
  private static final String FILE_SCHEME = "file://";

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

  // The file as written: every leaf is text so that the checks below, not Jackson, word the
  // messages about values. Jackson still reports unknown keys and misplaced lists or mappings.
  private record RawConfig(
      Map<String, RawTarget> targets,
      String repository,
      String secrets,
      String encryption,
      RawCheck check,
      RawRetention retention,
      String backupFreshness) {}

  private record RawTarget(
      RawEndpoint primary,
      List<RawReplica> replicas,
      RawAdmin admin,
      String migrations,
      String production,
      String fourEyes,
      String approvalTimeout,
      RawRetention retention,
      String backupFreshness,
      RawFailover failover,
      RawRotation rotation) {}

  private record RawRotation(List<String> allowRoleAttributes) {}

  private record RawFailover(
      List<String> fenceRoles,
      String approval,
      String catchUpTimeout,
      String maxLagBytes,
      List<String> hook,
      String endpointSecret) {}

  private record RawEndpoint(String host, String port, String database, String sslmode) {}

  private record RawReplica(String name, String host, String port) {}

  private record RawAdmin(String secret, String user) {}

  private record RawCheck(String longTransaction, String lagWarnBytes, String lagCriticalBytes) {}

  private record RawRetention(String keepLast, String keepDaily, String keepWeekly) {}

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
    RawConfig raw = parse(file, read(file));
    return new Validator(file, env).config(raw);
  }

  private static byte[] read(Path file) {
    if (Files.isDirectory(file)) {
      throw new ConfigException(
          file,
          null,
          "is a directory, not a configuration file",
          "pass the YAML file itself, for example --config " + file.resolve(DEFAULT_FILE) + ".");
    }
    try {
      return Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new ConfigException(
          file,
          null,
          "no such file (looked for " + file.toAbsolutePath() + ")",
          "create it (runbooks/examples/runbooks.yaml is a start), or point to yours with --config"
              + " FILE or the "
              + ENV_CONFIG
              + " environment variable.",
          e);
    } catch (AccessDeniedException e) {
      throw new ConfigException(
          file,
          null,
          "cannot be read: permission denied",
          "run as a user who can read it, or give that user read permission (chmod/chown).",
          e);
    } catch (IOException e) {
      throw new ConfigException(
          file,
          null,
          "cannot be read: " + e.getMessage(),
          "check that the file exists and is readable.",
          e);
    }
  }

  private static RawConfig parse(Path file, byte[] content) {
    try (JsonParser parser = YAML.createParser(content)) {
      if (parser.nextToken() == null) {
        return null;
      }
      return YAML.readValue(parser, RawConfig.class);
    } catch (UnrecognizedPropertyException e) {
      throw unknownKey(file, content, e);
    } catch (IOException e) {
      JsonParseException syntax = syntaxError(e);
      if (syntax != null) {
        throw invalidYaml(file, syntax);
      }
      if (e instanceof MismatchedInputException mismatch) {
        throw mismatch(file, content, mismatch);
      }
      if (e instanceof JsonMappingException mapping) {
        throw new ConfigException(
            file,
            keyOf(mapping),
            "cannot be read "
                + at(spot(content, mapping.getPath()).location())
                + ": "
                + firstLine(mapping.getOriginalMessage()),
            "correct the value at that place.",
            e);
      }
      throw new ConfigException(
          file,
          null,
          "cannot be read: " + e.getMessage(),
          "check that the file is readable UTF-8 YAML.",
          e);
    }
  }

  /** The YAML syntax error behind a failure, which Jackson wraps when it met it inside a value. */
  private static JsonParseException syntaxError(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonParseException syntax) {
        return syntax;
      }
    }
    return null;
  }

  private static ConfigException invalidYaml(Path file, JsonParseException e) {
    String message = e.getOriginalMessage();
    if (message != null && message.startsWith("Duplicate field '")) {
      String name = message.substring("Duplicate field '".length(), message.lastIndexOf('\''));
      return new ConfigException(
          file,
          null,
          "the key \"" + name + "\" appears twice in one mapping " + at(e.getLocation()),
          "keep one of them, or merge their settings into one.",
          e);
    }
    JsonLocation location = e.getLocation();
    String problem = firstLine(message);
    // SnakeYAML knows where the problem is; Jackson reports where the enclosing construct began.
    if (e.getCause() instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
      Mark mark = marked.getProblemMark();
      location = new JsonLocation(null, -1, mark.getLine() + 1, mark.getColumn() + 1);
      if (marked.getProblem() != null) {
        problem = firstLine(marked.getProblem());
      }
    }
    return new ConfigException(
        file,
        null,
        "not valid YAML " + at(location) + ": " + problem,
        "correct the YAML at that place (indent with spaces, never tabs; put a space after each"
            + " colon; quote values that contain special characters).",
        e);
  }

  private static ConfigException unknownKey(
      Path file, byte[] content, UnrecognizedPropertyException e) {
    String name = e.getPropertyName();
    List<String> allowed = allowedKeys(e.getReferringClass(), e.getKnownPropertyIds());
    String suggestion = closest(name, allowed);
    String fix =
        suggestion != null
            ? "did you mean \"" + suggestion + "\"? Rename the key, or remove it."
            : "remove the key, or move it to where it belongs.";
    return new ConfigException(
        file,
        keyOf(e),
        "unknown key \""
            + name
            + "\" "
            + at(spot(content, e.getPath()).location())
            + "; allowed keys here: "
            + String.join(", ", allowed),
        fix,
        e);
  }

  private static ConfigException mismatch(Path file, byte[] content, MismatchedInputException e) {
    String expected = describeExpected(e.getTargetType());
    Spot spot = spot(content, e.getPath());
    return new ConfigException(
        file,
        keyOf(e),
        "expected " + expected + ", found " + spot.found() + " " + at(spot.location()),
        "write " + expected + " there (mind the indentation).",
        e);
  }

  private static String describeExpected(Class<?> type) {
    if (type == null) {
      return "something else";
    }
    if (type == String.class) {
      return "a single value";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping of names to settings";
    }
    if (Collection.class.isAssignableFrom(type)) {
      return "a list (lines starting with \"- \")";
    }
    if (type.isRecord()) {
      return "a mapping with the keys " + String.join(", ", componentNames(type));
    }
    return "a " + type.getSimpleName();
  }

  /** Where a key is in the file and what its value is. */
  private record Spot(JsonLocation location, String found) {}

  /**
   * Finds the key at {@code path} by reading the file again: Jackson reports where it noticed a
   * problem, which for records is often the end of the enclosing mapping.
   */
  private static Spot spot(byte[] content, List<JsonMappingException.Reference> path) {
    StringBuilder pointer = new StringBuilder();
    for (JsonMappingException.Reference ref : path) {
      pointer.append('/');
      if (ref.getFieldName() != null) {
        pointer.append(ref.getFieldName().replace("~", "~0").replace("/", "~1"));
      } else {
        pointer.append(ref.getIndex());
      }
    }
    String wanted = pointer.toString();
    try (JsonParser parser = YAML.createParser(content)) {
      JsonLocation keyLocation = null;
      for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
        if (!parser.getParsingContext().pathAsPointer().toString().equals(wanted)) {
          continue;
        }
        if (token == JsonToken.FIELD_NAME && keyLocation == null) {
          keyLocation = parser.currentTokenLocation();
          continue;
        }
        JsonLocation location = keyLocation != null ? keyLocation : parser.currentTokenLocation();
        return new Spot(location, describe(parser, token));
      }
      return new Spot(keyLocation, "something else");
    } catch (IOException e) {
      return new Spot(null, "something else");
    }
  }

  private static String describe(JsonParser parser, JsonToken token) throws IOException {
    switch (token) {
      case START_ARRAY:
        return "a list";
      case START_OBJECT:
        return "a mapping";
      case VALUE_NULL:
        return "nothing";
      default:
        return "the value \"" + parser.getText() + "\"";
    }
  }

  private static List<String> allowedKeys(Class<?> referring, Collection<Object> known) {
    if (referring != null && referring.isRecord()) {
      return componentNames(referring);
    }
    List<String> keys = new ArrayList<>();
    if (known != null) {
      for (Object k : known) {
        keys.add(String.valueOf(k));
      }
    }
    return keys;
  }

  private static List<String> componentNames(Class<?> record) {
    List<String> names = new ArrayList<>();
    for (RecordComponent c : record.getRecordComponents()) {
      names.add(c.getName());
    }
    return names;
  }

  /** The allowed key that {@code given} most likely misspells, or null. */
  static String closest(String given, List<String> allowed) {
    if (given == null) {
      return null;
    }
    String plain = simplify(given);
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String candidate : allowed) {
      if (simplify(candidate).equals(plain)) {
        return candidate;
      }
      int d = distance(given.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        bestDistance = d;
        best = candidate;
      }
    }
    return bestDistance <= Math.max(1, Math.min(3, given.length() / 3)) ? best : null;
  }

  private static String simplify(String key) {
    return key.toLowerCase(Locale.ROOT).replace("_", "").replace("-", "");
  }

  private static int distance(String a, String b) {
    // Optimal string alignment: a swapped pair of letters counts as one edit.
    int[] beforePrevious = new int[b.length() + 1];
    int[] previous = new int[b.length() + 1];
    int[] current = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      previous[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      current[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        current[j] =
            Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
        if (i > 1
            && j > 1
            && a.charAt(i - 1) == b.charAt(j - 2)
            && a.charAt(i - 2) == b.charAt(j - 1)) {
          current[j] = Math.min(current[j], beforePrevious[j - 2] + 1);
        }
      }
      int[] swap = beforePrevious;
      beforePrevious = previous;
      previous = current;
      current = swap;
    }
    return previous[b.length()];
  }

  private static String keyOf(JsonMappingException e) {
    StringBuilder key = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        if (key.length() > 0) {
          key.append('.');
        }
        key.append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        key.append('[').append(ref.getIndex()).append(']');
      }
    }
    return key.length() == 0 ? null : key.toString();
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "(line unknown)";
    }
    return "at line " + location.getLineNr() + ", column " + location.getColumnNr();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable";
    }
    String line = message.strip();
    int newline = line.indexOf('\n');
    return newline < 0 ? line : line.substring(0, newline).strip();
  }

  /** Turns what was written into records, checking each value where it is used. */
  private static final class Validator {
    private final Path file;
    private final Path directory;
    private final Map<String, String> env;

    Validator(Path file, Map<String, String> env) {
      this.file = file;
      Path parent = file.toAbsolutePath().normalize().getParent();
      this.directory = parent == null ? Path.of("/") : parent;
      this.env = env;
    }

    private ConfigException error(String key, String problem, String fix) {
      return new ConfigException(file, key, problem, fix);
    }

    RunbooksConfig config(RawConfig raw) {
      if (raw == null || raw.targets() == null || raw.targets().isEmpty()) {
        throw error(
            "targets",
            "no targets are configured; the runbooks need at least one database to work on",
            "add a target, for example:\n"
                + "targets:\n"
                + "  orders:\n"
                + "    primary: { host: db1, port: 5432, database: orders }\n"
                + "    admin: { secret: db/orders/admin }");
      }
      RetentionPolicy retention =
          retention("retention", raw.retention(), RetentionPolicy.keepEverything());
      Duration freshness = duration("backupFreshness", raw.backupFreshness(), null);
      Map<String, TargetConfig> targets = new LinkedHashMap<>();
      for (Map.Entry<String, RawTarget> entry : raw.targets().entrySet()) {
        targets.put(entry.getKey(), target(entry.getKey(), entry.getValue(), retention, freshness));
      }
      return new RunbooksConfig(
          file,
          targets,
          repository(raw.repository()),
          secrets(raw.secrets()),
          encryption(raw.encryption()),
          check(raw.check()));
    }

    private TargetConfig target(
        String name, RawTarget raw, RetentionPolicy retention, Duration freshness) {
      String key = "targets." + name;
      if (name == null || !TARGET_NAME.matcher(name).matches()) {
        throw error(
            key,
            "\""
                + name
                + "\" is not a valid target name; expected lowercase letters, digits, '_' and '-',"
                + " starting with a letter or digit, at most 63 characters",
            "rename it, for example to \"" + suggestTargetName(name) + "\".");
      }
      if (raw == null) {
        throw error(
            key,
            "the target has no settings",
            "give it at least primary: { host: ..., database: ... } and admin: { secret: ... }.");
      }
      Endpoint primary = primary(key + ".primary", raw.primary());
      List<ReplicaConfig> replicas = replicas(key + ".replicas", raw.replicas(), primary);
      AdminConfig admin = admin(key + ".admin", raw.admin());
      Path migrations = null;
      if (raw.migrations() != null) {
        migrations = path(key + ".migrations", raw.migrations(), directory);
      }
      return new TargetConfig(
          name,
          primary,
          replicas,
          admin,
          migrations,
          bool(key + ".production", raw.production(), true),
          bool(key + ".fourEyes", raw.fourEyes(), false),
          duration(
              key + ".approvalTimeout",
              raw.approvalTimeout(),
              TargetConfig.DEFAULT_APPROVAL_TIMEOUT),
          retention(key + ".retention", raw.retention(), retention),
          duration(key + ".backupFreshness", raw.backupFreshness(), freshness),
          failover(key + ".failover", name, raw.failover()),
          rotation(key + ".rotation.allowRoleAttributes", raw.rotation()));
    }

    private RotationConfig rotation(String key, RawRotation raw) {
      try {
        return raw == null
            ? RotationConfig.defaults()
            : RotationConfig.of(raw.allowRoleAttributes());
      } catch (IllegalArgumentException e) {
        throw error(
            key,
            e.getMessage(),
            "allow only what the application needs, for example allowRoleAttributes: [CREATEDB].");
      }
    }

    private FailoverConfig failover(String key, String target, RawFailover raw) {
      if (raw == null) {
        return FailoverConfig.defaults(target);
      }
      List<String> roles = raw.fenceRoles();
      if (roles != null && roles.stream().anyMatch(r -> r == null || r.isBlank())) {
        throw error(
            key + ".fenceRoles",
            "the list has an empty role name",
            "list the application roles by name, for example fenceRoles: [app, reporting].");
      }
      List<String> hook = raw.hook() == null ? List.of() : raw.hook();
      if (hook.stream().anyMatch(a -> a == null || a.isEmpty())
          || (!hook.isEmpty() && hook.get(0).isBlank())) {
        throw error(
            key + ".hook",
            "the command has an empty program or argument",
            "write the program and its arguments as a list, for example hook:"
                + " [/usr/local/bin/repoint-pgbouncer, --reload]; no shell is involved.");
      }
      String secret =
          raw.endpointSecret() == null
              ? FailoverConfig.defaultEndpointSecret(target)
              : raw.endpointSecret().strip();
      try {
        SecretRef.validatePath(secret);
      } catch (IllegalArgumentException e) {
        throw error(
            key + ".endpointSecret",
            e.getMessage(),
            "write a path such as runbooks/endpoints/" + target + ".");
      }
      return new FailoverConfig(
          roles,
          bool(key + ".approval", raw.approval(), false),
          duration(
              key + ".catchUpTimeout",
              raw.catchUpTimeout(),
              FailoverConfig.DEFAULT_CATCH_UP_TIMEOUT),
          bytes(key + ".maxLagBytes", raw.maxLagBytes(), FailoverConfig.DEFAULT_MAX_LAG_BYTES),
          hook,
          secret);
    }

    /**
     * A retention policy: the rules left out are off (0), at least one keeps something, and a
     * policy given replaces the inherited one whole rather than field by field, so what a target
     * keeps can be read in one place.
     */
    private RetentionPolicy retention(String key, RawRetention raw, RetentionPolicy inherited) {
      if (raw == null) {
        return inherited;
      }
      int keepLast = count(key + ".keepLast", raw.keepLast());
      int keepDaily = count(key + ".keepDaily", raw.keepDaily());
      int keepWeekly = count(key + ".keepWeekly", raw.keepWeekly());
      if (keepLast == 0 && keepDaily == 0 && keepWeekly == 0) {
        throw error(
            key,
            "the policy keeps nothing: keepLast, keepDaily and keepWeekly are all 0 or left out,"
                + " so retention would delete every backup but the newest verified one",
            "set at least one of them, for example retention: { keepLast: 7, keepDaily: 14,"
                + " keepWeekly: 8 }; leave retention: out to keep every backup.");
      }
      return new RetentionPolicy(keepLast, keepDaily, keepWeekly);
    }

    private int count(String key, String written) {
      if (written == null) {
        return 0;
      }
      int value;
      try {
        value = Integer.parseInt(written.strip());
      } catch (NumberFormatException e) {
        value = -1;
      }
      if (value < 0) {
        throw error(
            key,
            "\"" + written + "\" is not a number of backups",
            "write a whole number, 0 or more (0 turns the rule off).");
      }
      return value;
    }

    private Endpoint primary(String key, RawEndpoint raw) {
      if (raw == null) {
        throw error(
            key,
            "the target has no primary",
            "add primary: { host: HOST, port: 5432, database: DATABASE } to the target.");
      }
      String host = host(key + ".host", raw.host());
      int port = port(key + ".port", raw.port());
      if (raw.database() == null || raw.database().isBlank()) {
        throw error(
            key + ".database",
            "no database is named; the runbooks work on one database of the server",
            "add database: NAME to " + key + ".");
      }
      String sslmode = sslmode(key + ".sslmode", raw.sslmode());
      return new Endpoint(host, port, raw.database(), sslmode);
    }

    private String host(String key, String written) {
      if (written != null) {
        return checkHost(key, written, null);
      }
      String fromEnv = env.get("PGHOST");
      if (fromEnv != null && !fromEnv.isEmpty()) {
        return checkHost(key, fromEnv, "PGHOST");
      }
      return DEFAULT_HOST;
    }

    private String checkHost(String key, String host, String envName) {
      String shown = envName == null ? "\"" + host + "\"" : envName + "=\"" + host + "\"";
      String fix =
          envName == null
              ? "set host to a host name or IP address."
              : "set host: in the file (it wins over " + envName + "), or change " + envName + ".";
      if (host.isBlank() || host.chars().anyMatch(Character::isWhitespace)) {
        throw error(key, shown + " is not a host name", fix);
      }
      if (host.startsWith("/") || host.startsWith("@")) {
        throw error(
            key,
            shown + " is a Unix socket directory; the runbooks connect over TCP",
            envName == null ? "set host to a host name or IP address, such as localhost." : fix);
      }
      if (host.indexOf(',') >= 0) {
        throw error(
            key,
            shown + " names several hosts; each target's primary and replicas are one host each",
            envName == null ? "set host to one host, and list the others under replicas." : fix);
      }
      return host;
    }

    private int port(String key, String written) {
      if (written != null) {
        return checkPort(key, written, null);
      }
      String fromEnv = env.get("PGPORT");
      if (fromEnv != null && !fromEnv.isEmpty()) {
        return checkPort(key, fromEnv, "PGPORT");
      }
      return DEFAULT_PORT;
    }

    private int checkPort(String key, String text, String envName) {
      int port;
      try {
        port = Integer.parseInt(text.strip());
      } catch (NumberFormatException e) {
        port = -1;
      }
      if (port < 1 || port > 65535) {
        String shown = envName == null ? text : envName + "=" + text;
        throw error(
            key,
            shown + " is not a port (1-65535)",
            envName == null
                ? "set a port between 1 and 65535."
                : "set port: in the file (it wins over "
                    + envName
                    + "), or set "
                    + envName
                    + " to a port between 1 and 65535.");
      }
      return port;
    }

    private String sslmode(String key, String written) {
      String envName = null;
      String mode = written;
      if (mode == null) {
        String fromEnv = env.get("PGSSLMODE");
        if (fromEnv == null || fromEnv.isEmpty()) {
          return DEFAULT_SSLMODE;
        }
        mode = fromEnv;
        envName = "PGSSLMODE";
      }
      if (!SSL_MODES.contains(mode)) {
        String shown = envName == null ? "\"" + mode + "\"" : envName + "=\"" + mode + "\"";
        throw error(
            key,
            shown + " is not an sslmode; allowed: " + String.join(" ", SSL_MODES),
            envName == null
                ? "set sslmode to one of those (verify-full checks the server's certificate and"
                    + " name)."
                : "set sslmode: in the file (it wins over "
                    + envName
                    + "), or set "
                    + envName
                    + " to one of those.");
      }
      return mode;
    }

    private List<ReplicaConfig> replicas(String key, List<RawReplica> raw, Endpoint primary) {
      if (raw == null) {
        return List.of();
      }
      List<ReplicaConfig> replicas = new ArrayList<>();
      Set<String> names = new HashSet<>();
      for (int i = 0; i < raw.size(); i++) {
        String at = key + "[" + i + "]";
        RawReplica r = raw.get(i);
        if (r == null) {
          throw error(
              at, "the replica has no settings", "write { name: NAME, host: HOST, port: PORT }.");
        }
        if (r.name() == null || !REPLICA_NAME.matcher(r.name()).matches()) {
          throw error(
              at + ".name",
              r.name() == null
                  ? "the replica has no name"
                  : "\""
                      + r.name()
                      + "\" is not a valid replica name; expected letters, digits, '.', '_' and"
                      + " '-', starting with a letter or digit",
              "name it, for example after its host: name: db2.");
        }
        if (!names.add(r.name())) {
          throw error(
              at + ".name",
              "the replica name \"" + r.name() + "\" is used twice in this target",
              "give each replica its own name (failover --to names one).");
        }
        if (r.host() == null) {
          throw error(
              at + ".host",
              "replica \"" + r.name() + "\" has no host",
              "add host: HOST to the replica.");
        }
        String host = checkHost(at + ".host", r.host(), null);
        int port = port(at + ".port", r.port());
        if (host.equals(primary.host()) && port == primary.port()) {
          throw error(
              at,
              "replica \"" + r.name() + "\" has the primary's address " + primary.address(),
              "set the replica's own host and port.");
        }
        replicas.add(new ReplicaConfig(r.name(), host, port));
      }
      return replicas;
    }

    private AdminConfig admin(String key, RawAdmin raw) {
      String fix =
          "set admin: { secret: db/NAME/admin } (a secret holding username and password), or"
              + " admin: { user: postgres } for trust or peer authentication.";
      if (raw == null || (raw.secret() == null && raw.user() == null)) {
        throw error(key, "the target says neither how to log in: no secret and no user", fix);
      }
      if (raw.secret() != null && raw.user() != null) {
        throw error(
            key,
            "both secret and user are set; the secret already holds the username",
            "keep one of them: " + fix);
      }
      if (raw.secret() != null) {
        try {
          return AdminConfig.ofSecret(SecretRef.parse(raw.secret()));
        } catch (IllegalArgumentException e) {
          throw error(
              key + ".secret",
              e.getMessage(),
              "write a secret path such as db/orders/admin, or db/orders/admin@3 for a fixed"
                  + " version.");
        }
      }
      if (raw.user().isBlank()) {
        throw error(key + ".user", "the user is empty", "name a role, such as postgres.");
      }
      return AdminConfig.ofUser(raw.user());
    }

    private boolean bool(String key, String written, boolean fallback) {
      if (written == null) {
        return fallback;
      }
      switch (written) {
        case "true":
          return true;
        case "false":
          return false;
        default:
          throw error(
              key, "\"" + written + "\" is not true or false", "write true or false, unquoted.");
      }
    }

    private Duration duration(String key, String written, Duration fallback) {
      if (written == null) {
        return fallback;
      }
      Duration d;
      try {
        d = Duration.parse(written.strip());
      } catch (DateTimeParseException e) {
        throw error(
            key,
            "\"" + written + "\" is not an ISO-8601 duration",
            "write a duration such as PT4H (4 hours), PT30M (30 minutes) or P1D (1 day).");
      }
      if (d.isNegative() || d.isZero()) {
        throw error(
            key,
            written + " is not longer than zero",
            "write a positive duration such as PT4H (4 hours) or PT30M (30 minutes).");
      }
      return d;
    }

    private long bytes(String key, String written, long fallback) {
      if (written == null) {
        return fallback;
      }
      long value;
      try {
        value = Long.parseLong(written.strip());
      } catch (NumberFormatException e) {
        value = -1;
      }
      if (value < 1) {
        throw error(
            key,
            written + " is not a byte count",
            "write a positive whole number of bytes, such as 16777216 (16 MiB).");
      }
      return value;
    }

    private CheckSettings check(RawCheck raw) {
      if (raw == null) {
        return CheckSettings.defaults();
      }
      CheckSettings check =
          new CheckSettings(
              duration(
                  "check.longTransaction",
                  raw.longTransaction(),
                  CheckSettings.DEFAULT_LONG_TRANSACTION),
              bytes("check.lagWarnBytes", raw.lagWarnBytes(), CheckSettings.DEFAULT_LAG_WARN_BYTES),
              bytes(
                  "check.lagCriticalBytes",
                  raw.lagCriticalBytes(),
                  CheckSettings.DEFAULT_LAG_CRITICAL_BYTES));
      if (check.lagWarnBytes() > check.lagCriticalBytes()) {
        throw error(
            "check.lagWarnBytes",
            check.lagWarnBytes()
                + " is above lagCriticalBytes ("
                + check.lagCriticalBytes()
                + "); a warning must come before the critical level",
            "set lagWarnBytes at or below lagCriticalBytes.");
      }
      return check;
    }

    private String repository(String written) {
      if (written == null) {
        return null;
      }
      String key = "repository";
      if (written.startsWith(FILE_SCHEME)) {
        return FILE_SCHEME + path(key, written.substring(FILE_SCHEME.length()), directory);
      }
      if (written.startsWith("s3://")) {
        String rest = written.substring("s3://".length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String prefix = slash < 0 ? "" : rest.substring(slash + 1);
        while (prefix.endsWith("/")) {
          prefix = prefix.substring(0, prefix.length() - 1);
        }
        if (!S3_BUCKET.matcher(bucket).matches()) {
          throw error(
              key,
              "\""
                  + bucket
                  + "\" is not an S3 bucket name; expected 3-63 lowercase letters, digits, '.' and"
                  + " '-'",
              "write s3://BUCKET/PREFIX with the bucket's name, such as s3://backups/prod.");
        }
        return prefix.isEmpty() ? "s3://" + bucket : "s3://" + bucket + "/" + prefix;
      }
      String fix =
          written.startsWith("/")
              ? "write file://" + written + " for a local directory."
              : "write file:///DIRECTORY for a local directory, or s3://BUCKET/PREFIX for S3 or an"
                  + " S3-compatible store.";
      throw error(
          key,
          "\"" + written + "\" is not a backup repository; expected file://... or s3://...",
          fix);
    }

    private String secrets(String written) {
      String key = "secrets";
      String fromEnv = env.get(ENV_SECRETS);
      if (fromEnv != null && !fromEnv.isBlank()) {
        return secretsSpec(key, fromEnv, ENV_SECRETS, Path.of("").toAbsolutePath());
      }
      if (written == null) {
        return FILE_SCHEME + directory.resolve("secrets.json");
      }
      return secretsSpec(key, written, null, directory);
    }

    private String secretsSpec(String key, String spec, String envName, Path base) {
      if (spec.equals("vault") || spec.matches("vault://[A-Za-z0-9_/-]+")) {
        return spec;
      }
      if (spec.startsWith(FILE_SCHEME)) {
        return FILE_SCHEME + path(key, spec.substring(FILE_SCHEME.length()), base);
      }
      String shown = envName == null ? "\"" + spec + "\"" : envName + "=\"" + spec + "\"";
      throw error(
          key,
          shown + " is not a secret store; expected file://PATH, vault or vault://MOUNT",
          (envName == null ? "" : "unset " + envName + " or ")
              + "write file:///var/lib/runbooks/secrets.json (a local file), or vault (Vault KV v2"
              + " at VAULT_ADDR).");
    }

    private String encryption(String written) {
      if (written == null) {
        return null;
      }
      String key = "encryption";
      if (written.startsWith("local-keyset:")) {
        String rest = written.substring("local-keyset:".length());
        if (rest.startsWith(FILE_SCHEME)) {
          rest = rest.substring(FILE_SCHEME.length());
        }
        return "local-keyset:" + path(key, rest, directory);
      }
      if (written.startsWith("vault-transit:")) {
        String name = written.substring("vault-transit:".length());
        if (!TRANSIT_KEY.matcher(name).matches()) {
          throw error(
              key,
              "\"" + name + "\" is not a Vault transit key name",
              "write vault-transit:NAME with the transit key's name, such as"
                  + " vault-transit:backups.");
        }
        return written;
      }
      throw error(
          key,
          "\""
              + written
              + "\" is not an encryption spec; expected local-keyset:PATH or"
              + " vault-transit:NAME",
          "write local-keyset:/var/lib/runbooks/backup-keyset.json (a Tink keyset file, made on"
              + " first use) or vault-transit:NAME (a Vault transit key).");
    }

    private Path path(String key, String written, Path base) {
      if (written.isBlank()) {
        throw error(key, "the path is empty", "write the path after the prefix.");
      }
      try {
        return base.resolve(written).normalize();
      } catch (InvalidPathException e) {
        throw error(key, "\"" + written + "\" is not a path: " + e.getReason(), "fix the path.");
      }
    }

    private static String suggestTargetName(String name) {
      if (name == null) {
        return "orders";
      }
      String s = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_-]+", "-");
      s = s.replaceAll("^[-_]+", "");
      if (s.length() > 63) {
        s = s.substring(0, 63);
      }
      return s.isEmpty() ? "orders" : s;
    }
  }
}
