package dev.runbooks.activities.postgres;

import dev.runbooks.activities.config.AdminConfig;
import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.config.MemberConfig;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.activities.config.TargetConfig;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStoreAccessDeniedException;
import dev.runbooks.workflows.shared.FailureType;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link TargetConnections} from {@code runbooks.yaml} and the secret store. Each connection reads
 * the admin secret afresh, so a rotated password is used as soon as it is stored.
 *
 * <p>Permanent faults are non-retryable {@code ApplicationFailure}s: a failed login ({@link
 * FailureType#AUTHENTICATION}), an unknown target or replica, an incomplete or missing secret or
 * secret store file ({@link FailureType#BAD_INPUT}: the configuration's fault). Anything else, such
 * as a refused connection, stays a retryable {@link SQLException} whose message names the target
 * and {@code host:port}. No message or log line carries the password.
 */
public final class ConfiguredConnections implements TargetConnections {
  private static final Logger log = LoggerFactory.getLogger(ConfiguredConnections.class);

  /** Seconds pgjdbc waits for a server to answer before giving up. */
  static final int CONNECT_TIMEOUT_SECONDS = 5;

  static final String APPLICATION_NAME = "runbooks";

  private static final Driver DRIVER = new org.postgresql.Driver();

  private final RunbooksConfig config;
  private final SecretStore secrets;
  private final SessionSettings sessions;

  /** The primary each target's last resolution found, for {@link #describe} only. */
  private final Map<String, Endpoint> lastPrimary = new ConcurrentHashMap<>();

  private final AttemptTopologies attempts = new AttemptTopologies();

  /** Connections whose sessions carry {@link SessionSettings#DEFAULTS}. */
  public ConfiguredConnections(RunbooksConfig config, SecretStore secrets) {
    this(config, secrets, SessionSettings.DEFAULTS);
  }

  /**
   * @param sessions what every session sets (lock_timeout, the check for a dead client)
   */
  public ConfiguredConnections(
      RunbooksConfig config, SecretStore secrets, SessionSettings sessions) {
    this.config = Objects.requireNonNull(config, "config");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.sessions = Objects.requireNonNull(sessions, "sessions");
  }

  @Override
  public SessionSettings sessionSettings() {
    return sessions;
  }

  @Override
  public Connection primary(String target) throws SQLException {
    return primary(target, target(target).primary().database());
  }

  @Override
  public Connection primary(String target, String database) throws SQLException {
    TargetConfig t = target(target);
    ResolvedTopology topology = attemptTopology(target);
    Optional<MemberConfig> found = resolvedPrimary(t, topology);
    Endpoint e = found.map(MemberConfig::endpoint).orElse(t.primary());
    Endpoint endpoint = new Endpoint(e.host(), e.port(), database, e.sslmode());
    if (found.isPresent()) {
      return connect(t, label(found.get().name()), endpoint);
    }
    try {
      return connect(t, label(t.primaryName()), endpoint);
    } catch (SQLException failed) {
      // Retryable: the network may come back. The message names every member, not just one.
      throw new SQLException(
          failed.getMessage()
              + "; no member of target \""
              + target
              + "\" answered: "
              + String.join("; ", topology.evidence())
              + ". Fix: "
              + topology.fix(),
          failed.getSQLState(),
          failed);
    }
  }

  @Override
  public ConnectionSpec connectionSpec(String target) {
    TargetConfig t = target(target);
    // With no member answering, the child process fails to connect to the configured primary.
    Endpoint endpoint =
        resolvedPrimary(t, attemptTopology(target)).map(MemberConfig::endpoint).orElse(t.primary());
    Login login = login(t);
    return new ConnectionSpec(
        endpoint.host(),
        endpoint.port(),
        endpoint.database(),
        login.role(),
        login.password(),
        endpoint.sslmode());
  }

  @Override
  public List<String> replicaNames(String target) {
    TargetConfig t = target(target);
    String primary = t.primaryName();
    try {
      ResolvedTopology topology = attemptTopology(target);
      primary = topology.primary() != null ? topology.primary() : primary;
    } catch (RuntimeException e) {
      // A login that fails here fails the connections that follow too, and says why there.
      log.debug("listing the replicas of {} from the configuration: {}", target, e.getMessage());
    }
    String resolved = primary;
    return t.memberNames().stream().filter(n -> !n.equals(resolved)).toList();
  }

  @Override
  public Connection replica(String target, String replica) throws SQLException {
    TargetConfig t = target(target);
    MemberConfig m =
        t.member(replica)
            .orElseThrow(
                () ->
                    FailureType.BAD_INPUT.failure(
                        "target \""
                            + target
                            + "\" has no replica \""
                            + replica
                            + "\"; its servers: "
                            + String.join(", ", t.memberNames())
                            + ". Fix: name one of those, or add the server under targets."
                            + target
                            + " in "
                            + config.file()
                            + "."));
    return connect(t, label(m.name()), m.endpoint());
  }

  /** Resolved afresh; this activity attempt's connections to the primary reuse it. */
  @Override
  public ResolvedTopology topology(String target) {
    return attempts.fresh(target, () -> resolve(target));
  }

  private ResolvedTopology attemptTopology(String target) {
    return attempts.reuse(target, () -> resolve(target));
  }

  private ResolvedTopology resolve(String target) {
    TargetConfig t = target(target);
    ResolvedTopology topology =
        TopologyResolver.resolve(t, m -> connect(t, label(m.name()), m.endpoint()), secrets);
    log.debug("topology of {}: {}", target, topology.summary());
    topology
        .primaryMember()
        .ifPresent(p -> lastPrimary.put(target, t.member(p.name()).orElseThrow().endpoint()));
    return topology;
  }

  /**
   * The member that takes writes now; empty when no member answers (the caller's connection then
   * fails retryably: the network may come back). A refusal (split brain, only fenced or recovering
   * members) is a non-retryable failure.
   */
  private static Optional<MemberConfig> resolvedPrimary(TargetConfig t, ResolvedTopology topology) {
    if (topology.primary() != null) {
      return t.member(topology.primary());
    }
    if (topology.members().stream().noneMatch(MemberState::reachable)) {
      return Optional.empty();
    }
    throw topology.refused();
  }

  /** How a member is named in connection messages: {@code primary}, or {@code server db2}. */
  private static String label(String member) {
    return member.equals(TargetConfig.PRIMARY) ? member : "server " + member;
  }

  @Override
  public String describe(String target) {
    Endpoint last = lastPrimary.get(target);
    return (last != null ? last : target(target).primary()).toString();
  }

  /**
   * The JDBC URL of an endpoint: {@code
   * jdbc:postgresql://host:port/db?sslmode=...&connectTimeout=5&ApplicationName=runbooks}. It holds
   * no credentials; they travel as connection properties.
   */
  public static String jdbcUrl(Endpoint endpoint) {
    return "jdbc:postgresql://"
        + endpoint.address()
        + "/"
        + URLEncoder.encode(endpoint.database(), StandardCharsets.UTF_8)
        + "?sslmode="
        + endpoint.sslmode()
        + "&connectTimeout="
        + CONNECT_TIMEOUT_SECONDS
        + "&ApplicationName="
        + APPLICATION_NAME;
  }

  private TargetConfig target(String name) {
    try {
      return config.target(name);
    } catch (ConfigException e) {
      throw FailureType.BAD_INPUT.failure(e.getMessage());
    }
  }

  /** Who logs in. {@code toString} leaves the password out. */
  private record Login(String role, String password, String source) {
    @Override
    public String toString() {
      return "Login[role=" + role + ", source=" + source + "]";
    }
  }

  private Connection connect(TargetConfig target, String server, Endpoint endpoint)
      throws SQLException {
    Login login = login(target);
    Properties properties = new Properties();
    properties.setProperty("user", login.role());
    if (login.password() != null) {
      properties.setProperty("password", login.password());
    }
    ConnectionFailures.Where where =
        new ConnectionFailures.Where(
            target.name(), server, endpoint, login.role(), fixFor(target, login, endpoint));
    log.debug(
        "connecting to target {} {} at {} as role {}",
        target.name(),
        server,
        endpoint,
        login.role());
    try {
      Connection connection = DRIVER.connect(jdbcUrl(endpoint), properties);
      if (connection == null) {
        throw new SQLException("the PostgreSQL driver did not accept " + jdbcUrl(endpoint));
      }
      try {
        sessions.apply(connection);
      } catch (SQLException e) {
        connection.close();
        throw e;
      }
      return connection;
    } catch (SQLException e) {
      throw ConnectionFailures.explain(e, where, login.password());
    }
  }

  private Login login(TargetConfig target) {
    AdminConfig admin = target.admin();
    if (admin.user() != null) {
      return new Login(admin.user(), null, "targets." + target.name() + ".admin.user");
    }
    String path = admin.secret().path();
    Secret secret;
    try {
      secret = secrets.read(admin.secret());
    } catch (SecretNotFoundException e) {
      // The configuration names a secret that is not there: bad input (exit 2), not a failed run.
      throw FailureType.BAD_INPUT.failure(
          "the admin secret of target \"" + target.name() + "\" is missing: " + e.getMessage());
    } catch (SecretStoreAccessDeniedException e) {
      // Retrying cannot grant access; a sealed or unreachable store stays retryable.
      throw e.toFailure();
    }
    String role = secret.data().get("username");
    String password = secret.data().get("password");
    if (role == null || role.isEmpty() || password == null) {
      String missing = role == null || role.isEmpty() ? "username" : "password";
      throw FailureType.BAD_INPUT.failure(
          "the admin secret "
              + path
              + " (version "
              + secret.version()
              + ") of target \""
              + target.name()
              + "\" has no "
              + missing
              + "; it has the keys "
              + secret.data().keySet()
              + ". Fix: write a new version of "
              + path
              + " with the keys username and password.");
    }
    return new Login(role, password, "secret " + admin.secret());
  }

  private static String fixFor(TargetConfig target, Login login, Endpoint endpoint) {
    if (login.password() != null) {
      return "check the secret "
          + target.admin().secret()
          + " (keys username and password) against the role on "
          + endpoint.address()
          + ", and that its pg_hba.conf admits the role from this host.";
    }
    return "check targets."
        + target.name()
        + ".admin.user, and that pg_hba.conf on "
        + endpoint.address()
        + " lets \""
        + login.role()
        + "\" in without a password (trust or peer); if the server wants a password, use admin:"
        + " { secret: ... } instead.";
  }
}
