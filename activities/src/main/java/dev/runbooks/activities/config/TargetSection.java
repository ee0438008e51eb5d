package dev.runbooks.activities.config;

import dev.runbooks.workflows.backup.RetentionPolicy;
import dev.runbooks.workflows.shared.SecretRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/** One entry under {@code targets:}: its connection, migrations, approvals, retention, failover. */
final class TargetSection {
  private static final Pattern TARGET_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern IRREVERSIBLE_ENTRY = Pattern.compile("[Vv]?\\d+(?:[._]\\d+)*\\+?");

  private final Values values;
  private final ConnectionSection connection;
  private final BackupSection backup;

  TargetSection(Values values, BackupSection backup) {
    this.values = values;
    this.connection = new ConnectionSection(values);
    this.backup = backup;
  }

  private ConfigException error(String key, String problem, String fix) {
    return values.error(key, problem, fix);
  }

  TargetConfig target(
      String name,
      RawConfig.Target raw,
      RetentionPolicy retention,
      Duration freshness,
      Duration walFreshness) {
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
          "give it at least primary: { host: ..., database: ... } (or members: [...]) and admin:"
              + " { secret: ... }.");
    }
    ConnectionSection.Members members = connection.members(key, raw);
    AdminConfig admin = connection.admin(key + ".admin", raw.admin());
    Path migrations = null;
    List<String> irreversible = List.of();
    if (raw.migrations() != null) {
      if (raw.migrations().path() == null) {
        throw error(
            key + ".migrations",
            "the migrations have no path",
            "write migrations: path/to/dir, or migrations: { path: path/to/dir, irreversible:"
                + " [\"1.8\"] }.");
      }
      migrations = values.path(key + ".migrations", raw.migrations().path(), values.directory());
      irreversible = irreversible(key + ".migrations.irreversible", raw.migrations());
    }
    return new TargetConfig(
        name,
        members.primary(),
        members.replicas(),
        admin,
        migrations,
        values.bool(key + ".production", raw.production(), true),
        values.bool(key + ".fourEyes", raw.fourEyes(), false),
        values.duration(
            key + ".approvalTimeout", raw.approvalTimeout(), TargetConfig.DEFAULT_APPROVAL_TIMEOUT),
        backup.retention(key + ".retention", raw.retention(), retention),
        values.duration(key + ".backupFreshness", raw.backupFreshness(), freshness),
        failover(key + ".failover", name, raw.failover()),
        rotation(key + ".rotation.allowRoleAttributes", raw.rotation()),
        members.primaryName(),
        values.duration(key + ".walFreshness", raw.walFreshness(), walFreshness),
        irreversible);
  }

  private List<String> irreversible(String key, RawConfig.Migrations raw) {
    List<String> listed = raw.irreversible() == null ? List.of() : raw.irreversible();
    for (String v : listed) {
      if (v == null || !IRREVERSIBLE_ENTRY.matcher(v.strip()).matches()) {
        throw error(
            key,
            "\"" + v + "\" is not a migration version",
            "list versions as in the file names, such as \"1.8\" (that version) or \"1.9+\" (it and"
                + " every later one).");
      }
    }
    return List.copyOf(listed.stream().map(String::strip).toList());
  }

  private RotationConfig rotation(String key, RawConfig.Rotation raw) {
    try {
      return raw == null ? RotationConfig.defaults() : RotationConfig.of(raw.allowRoleAttributes());
    } catch (IllegalArgumentException e) {
      throw error(
          key,
          e.getMessage(),
          "allow only what the application needs, for example allowRoleAttributes: [CREATEDB].");
    }
  }

  private FailoverConfig failover(String key, String target, RawConfig.Failover raw) {
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
        values.bool(key + ".approval", raw.approval(), false),
        values.duration(
            key + ".catchUpTimeout", raw.catchUpTimeout(), FailoverConfig.DEFAULT_CATCH_UP_TIMEOUT),
        values.bytes(key + ".maxLagBytes", raw.maxLagBytes(), FailoverConfig.DEFAULT_MAX_LAG_BYTES),
        hook,
        secret,
        raw.pooler() == null ? null : connection.pooler(key + ".pooler", raw.pooler()));
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
