package dev.runbooks.activities.config;

import dev.runbooks.workflows.shared.SecretRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A target's primary, replicas and login: where the runbooks connect and as whom. libpq's {@code
 * PGHOST}, {@code PGPORT} and {@code PGSSLMODE} fill in what the file leaves out.
 */
final class ConnectionSection {
  private static final Pattern REPLICA_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,62}");

  private final Values values;

  ConnectionSection(Values values) {
    this.values = values;
  }

  private ConfigException error(String key, String problem, String fix) {
    return values.error(key, problem, fix);
  }

  Endpoint primary(String key, RawConfig.Endpoint raw) {
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
    String fromEnv = values.env("PGHOST");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return checkHost(key, fromEnv, "PGHOST");
    }
    return ConfigLoader.DEFAULT_HOST;
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
    String fromEnv = values.env("PGPORT");
    if (fromEnv != null && !fromEnv.isEmpty()) {
      return checkPort(key, fromEnv, "PGPORT");
    }
    return ConfigLoader.DEFAULT_PORT;
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
      String fromEnv = values.env("PGSSLMODE");
      if (fromEnv == null || fromEnv.isEmpty()) {
        return ConfigLoader.DEFAULT_SSLMODE;
      }
      mode = fromEnv;
      envName = "PGSSLMODE";
    }
    if (!ConfigLoader.SSL_MODES.contains(mode)) {
      String shown = envName == null ? "\"" + mode + "\"" : envName + "=\"" + mode + "\"";
      throw error(
          key,
          shown + " is not an sslmode; allowed: " + String.join(" ", ConfigLoader.SSL_MODES),
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

  /** A target's servers: {@code primary:} and {@code replicas:}, or {@code members:}. */
  record Members(String primaryName, Endpoint primary, List<ReplicaConfig> replicas) {}

  Members members(String key, RawConfig.Target raw) {
    if (raw.members() == null) {
      Endpoint primary = primary(key + ".primary", raw.primary());
      return new Members(
          TargetConfig.PRIMARY,
          primary,
          replicas(key + ".replicas", raw.replicas(), primary, TargetConfig.PRIMARY, 0));
    }
    String fix =
        "list every server under members: (the first gives database: and sslmode:), or use"
            + " primary: and replicas:, not both.";
    if (raw.primary() != null || raw.replicas() != null) {
      throw error(key + ".members", "members: is set beside primary: or replicas:", fix);
    }
    List<RawConfig.Member> list = raw.members();
    if (list.isEmpty() || list.get(0) == null) {
      throw error(key + ".members", "the list has no first member", fix);
    }
    RawConfig.Member first = list.get(0);
    String name = memberName(key + ".members[0]", first.name());
    Endpoint primary =
        primary(
            key + ".members[0]",
            new RawConfig.Endpoint(first.host(), first.port(), first.database(), first.sslmode()));
    List<RawConfig.Replica> rest = new ArrayList<>();
    for (int i = 1; i < list.size(); i++) {
      RawConfig.Member m = list.get(i);
      if (m != null
          && ((m.database() != null && !m.database().equals(primary.database()))
              || (m.sslmode() != null && !m.sslmode().equals(primary.sslmode())))) {
        throw error(
            key + ".members[" + i + "]",
            "a member names its own database or sslmode; every member serves the first's",
            "remove database: and sslmode: from every member but the first.");
      }
      rest.add(m == null ? null : new RawConfig.Replica(m.name(), m.host(), m.port()));
    }
    return new Members(name, primary, replicas(key + ".members", rest, primary, name, 1));
  }

  private String memberName(String key, String name) {
    if (name == null || !REPLICA_NAME.matcher(name).matches()) {
      throw error(
          key + ".name",
          name == null
              ? "the member has no name"
              : "\""
                  + name
                  + "\" is not a valid member name; expected letters, digits, '.', '_' and"
                  + " '-', starting with a letter or digit",
          "name it, for example after its host: name: db1.");
    }
    return name;
  }

  List<ReplicaConfig> replicas(
      String key, List<RawConfig.Replica> raw, Endpoint primary, String primaryName, int first) {
    if (raw == null) {
      return List.of();
    }
    List<ReplicaConfig> replicas = new ArrayList<>();
    Set<String> names = new HashSet<>();
    names.add(primaryName);
    for (int i = 0; i < raw.size(); i++) {
      String at = key + "[" + (i + first) + "]";
      RawConfig.Replica r = raw.get(i);
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
            "the name \"" + r.name() + "\" is used twice in this target",
            "give each replica its own name (failover --to names one; \""
                + primaryName
                + "\" is the primary's).");
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

  AdminConfig admin(String key, RawConfig.Admin raw) {
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

  /** {@code failover.pooler:}: PgBouncer's console address, an admin login and its ini file. */
  PoolerConfig pooler(String key, RawConfig.Pooler raw) {
    String example =
        "pooler: { host: 127.0.0.1, port: 6432, admin: { secret: pgbouncer/orders }, ini:"
            + " /etc/pgbouncer/pgbouncer.ini }";
    if (raw.host() == null || raw.port() == null || raw.ini() == null) {
      throw error(
          key,
          "the pooler needs host, port, admin and ini; "
              + (raw.host() == null ? "host" : raw.port() == null ? "port" : "ini")
              + " is missing",
          "write " + example + ".");
    }
    String host = checkHost(key + ".host", raw.host(), null);
    int port = checkPort(key + ".port", raw.port(), null);
    AdminConfig admin = admin(key + ".admin", raw.admin());
    Path ini = values.path(key + ".ini", raw.ini(), values.directory());
    return new PoolerConfig(host, port, admin, ini);
  }
}
