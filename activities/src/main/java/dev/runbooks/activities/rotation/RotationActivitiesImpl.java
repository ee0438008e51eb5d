package dev.runbooks.activities.rotation;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretConflictException;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStoreAccessDeniedException;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.workflows.rotation.DropLoginsInput;
import dev.runbooks.workflows.rotation.ExpireInput;
import dev.runbooks.workflows.rotation.ExpiredLogin;
import dev.runbooks.workflows.rotation.LoginPlan;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RenewedLogin;
import dev.runbooks.workflows.rotation.RotationActivities;
import dev.runbooks.workflows.rotation.RotationInput;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.SecretRef;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Rotates a role's password on a target's primary and publishes it in the secret store. The
 * password is made here ({@link SecureRandom}), reaches the server only as a SCRAM-SHA-256
 * verifier, is used for one test login, and is written to the store; it never leaves this class
 * otherwise: no log line, exception message or return value carries it.
 */
public final class RotationActivitiesImpl implements RotationActivities {
  private static final Logger log = LoggerFactory.getLogger(RotationActivitiesImpl.class);

  static final String USERNAME = "username";
  static final String PASSWORD = "password";

  /** 32 random bytes, base64url: 43 characters, 256 bits. */
  private static final int PASSWORD_BYTES = 32;

  private static final Driver DRIVER = new org.postgresql.Driver();

  private final TargetConnections connections;
  private final SecretStore secrets;
  private final RotationTargets targets;
  private final SecureRandom random = new SecureRandom();

  /** Rotation that allows no role attribute on any target. */
  public RotationActivitiesImpl(TargetConnections connections, SecretStore secrets) {
    this(connections, secrets, RotationTargets.strict());
  }

  public RotationActivitiesImpl(
      TargetConnections connections, SecretStore secrets, RotationTargets targets) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.targets = Objects.requireNonNull(targets, "targets");
  }

  // ---- prepare ---------------------------------------------------------------------------------

  @Override
  public LoginPlan prepareLogins(RotationInput in) {
    checkRoleName(in.role());
    String path = RotationSecrets.path(in.target(), in.role());
    Secret current = current(path);
    int version = current == null ? 0 : current.version();
    String currentLogin = current == null ? null : current.data().get(USERNAME);
    try (Connection admin = connections.primary(in.target())) {
      RoleState role = roleState(admin, in.role(), in.role());
      if (role == null) {
        throw FailureType.NOT_FOUND.failure(
            "role \""
                + in.role()
                + "\" does not exist on target "
                + in.target()
                + " ("
                + connections.describe(in.target())
                + "); nothing was changed. Expected "
                + (in.strategy() == RotationStrategy.SINGLE
                    ? "a login role whose password is replaced."
                    : "a group role holding the application's privileges, whose members "
                        + RotationSecrets.loginA(in.role())
                        + " and "
                        + RotationSecrets.loginB(in.role())
                        + " take turns.")
                + " Fix: correct --role, or create the role first (CREATE ROLE "
                + in.role()
                + " NOLOGIN; then GRANT its privileges to it).");
      }
      if (in.strategy() == RotationStrategy.SINGLE && !role.canLogin()) {
        throw FailureType.BAD_INPUT.failure(
            "role \""
                + in.role()
                + "\" on target "
                + in.target()
                + " cannot log in (NOLOGIN), so the single strategy has no password to replace."
                + " Fix: rotate it with --strategy alternating, which logs in through "
                + RotationSecrets.loginA(in.role())
                + " and "
                + RotationSecrets.loginB(in.role())
                + ".");
      }
      Set<String> allowed = targets.allowedRoleAttributes(in.target());
      boolean single = in.strategy() == RotationStrategy.SINGLE;
      RolePowers.check(admin, in.target(), in.role(), in.role(), in.strategy(), single, allowed);
      if (single) {
        return new LoginPlan(path, in.role(), version, currentLogin, null, List.of());
      }
      String a = RotationSecrets.loginA(in.role());
      String b = RotationSecrets.loginB(in.role());
      // Every check before the first CREATE ROLE: a refused rotation leaves nothing behind.
      List<String> missing = new ArrayList<>();
      List<String> created = new ArrayList<>();
      for (String login : List.of(a, b)) {
        RoleState state = roleState(admin, login, in.role());
        if (state == null) {
          missing.add(login);
          continue;
        }
        checkLogin(in, login, state);
        RolePowers.check(admin, in.target(), login, in.role(), in.strategy(), true, allowed);
        if (createdBy(in.idempotencyKey()).equals(state.comment())) {
          created.add(login); // by an earlier attempt of this call
        }
      }
      for (String login : missing) {
        if (createLogin(admin, in, login)) {
          created.add(login);
        }
      }
      created.sort(null);
      boolean pair = a.equals(currentLogin) || b.equals(currentLogin);
      String renew = a.equals(currentLogin) ? b : a;
      log.info(
          "rotation of role {} on target {}: renewing {}, current {}@{} ({})",
          in.role(),
          in.target(),
          renew,
          path,
          version,
          currentLogin);
      return new LoginPlan(path, renew, version, currentLogin, pair ? currentLogin : null, created);
    } catch (SQLException e) {
      throw sqlFailure("prepare the logins of role " + in.role(), in.target(), e);
    }
  }

  /** What marks a login as made by the prepare call with this idempotency key. */
  static String createdBy(String idempotencyKey) {
    return "created by runbook rotation " + idempotencyKey;
  }

  /**
   * Creates the login as a member of the role, marked with this call's key so that the rollback
   * knows it made it; true when it did, false when another attempt made it in between.
   */
  private boolean createLogin(Connection admin, RotationInput in, String login)
      throws SQLException {
    boolean autoCommit = admin.getAutoCommit();
    admin.setAutoCommit(false);
    try {
      execute(admin, "CREATE ROLE " + quote(login) + " LOGIN INHERIT IN ROLE " + quote(in.role()));
      execute(
          admin,
          "COMMENT ON ROLE "
              + quote(login)
              + " IS "
              + Jdbc.literal(createdBy(in.idempotencyKey())));
      admin.commit();
      log.info("created login {} as a member of {} on target {}", login, in.role(), in.target());
      return true;
    } catch (SQLException e) {
      admin.rollback();
      if (!"42710".equals(e.getSQLState())) {
        throw e;
      }
    } finally {
      admin.setAutoCommit(autoCommit);
    }
    // Another attempt created it in between: check it like an existing one.
    RoleState state = roleState(admin, login, in.role());
    checkLogin(in, login, state);
    return createdBy(in.idempotencyKey()).equals(state.comment());
  }

  /** Refuses an existing login of the pair that cannot stand in for the role. */
  private static void checkLogin(RotationInput in, String login, RoleState state) {
    String problem = null;
    if (!state.canLogin()) {
      problem = "cannot log in (NOLOGIN)";
    } else if (!state.member()) {
      problem = "is not a member of " + in.role();
    } else if (!state.inherits()) {
      problem = "does not inherit (NOINHERIT), so it would not get " + in.role() + "'s privileges";
    }
    if (problem != null) {
      throw FailureType.BAD_INPUT.failure(
          "role \""
              + login
              + "\" exists on target "
              + in.target()
              + " but "
              + problem
              + "; the alternating strategy logs in as "
              + login
              + " with "
              + in.role()
              + "'s privileges. Nothing was changed. Fix: ALTER ROLE "
              + login
              + " LOGIN INHERIT; GRANT "
              + in.role()
              + " TO "
              + login
              + "; if it belongs to something else, rename it.");
    }
  }

  private record RoleState(boolean canLogin, boolean inherits, boolean member, String comment) {}

  /**
   * The role's login and inherit flags, whether it is a member of {@code group} and its comment;
   * null if absent.
   */
  private static RoleState roleState(Connection admin, String role, String group)
      throws SQLException {
    try (PreparedStatement s =
        admin.prepareStatement(
            "SELECT rolcanlogin, rolinherit,"
                + " EXISTS (SELECT 1 FROM pg_roles g WHERE g.rolname = ?)"
                + " AND pg_has_role(r.rolname, ?, 'MEMBER'),"
                + " shobj_description(r.oid, 'pg_authid')"
                + " FROM pg_roles r WHERE r.rolname = ?")) {
      s.setString(1, group);
      s.setString(2, group);
      s.setString(3, role);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next()
            ? new RoleState(rs.getBoolean(1), rs.getBoolean(2), rs.getBoolean(3), rs.getString(4))
            : null;
      }
    }
  }

  // ---- renew -----------------------------------------------------------------------------------

  @Override
  public RenewedLogin renewLogin(RenewInput in) {
    checkRoleName(in.role());
    checkRoleName(in.login());
    Secret current = current(in.secretPath());
    int version = current == null ? 0 : current.version();
    if (version != in.expectedVersion()) {
      if (version > in.expectedVersion() && in.login().equals(current.data().get(USERNAME))) {
        log.info(
            "login {} was published as {}@{} by an earlier attempt",
            in.login(),
            in.secretPath(),
            version);
        return new RenewedLogin(in.login(), version, "published by an earlier attempt");
      }
      throw conflict(in, version);
    }
    String password = newPassword();
    // One admin connection for the whole renewal, so the login can be put back even when the
    // secret store (which holds the admin secret too) stops answering halfway.
    try (Connection admin = connections.primary(in.target())) {
      Undo undo = capture(admin, in, current);
      String probe = privilegeProbe(admin, in.role());
      ConnectionSpec spec = connections.connectionSpec(in.target());
      execute(
          admin,
          "ALTER ROLE "
              + quote(in.login())
              + " PASSWORD '"
              + ScramVerifier.of(password.toCharArray(), random)
              + "' VALID UNTIL 'infinity'");
      try {
        String tested = testLogin(in, password, spec, probe);
        int published = publish(in, password);
        log.info(
            "renewed login {} of role {} on target {}: tested ({}), published as {}@{}",
            in.login(),
            in.role(),
            in.target(),
            tested,
            in.secretPath(),
            published);
        return new RenewedLogin(in.login(), published, tested);
      } catch (SecretStoreUnavailableException e) {
        if (e.status() == 0) {
          // No answer: the write may have landed. Leave the login working; a retry or the
          // rollback reads the store again and decides.
          log.warn(
              "the secret store did not answer the write of {}: login {} left as it is",
              in.secretPath(),
              in.login());
          throw e;
        }
        throw undone(admin, undo, in, e);
      } catch (RuntimeException e) {
        throw undone(admin, undo, in, e);
      }
    } catch (SQLException e) {
      throw sqlFailure("set the new password of " + in.login(), in.target(), e);
    }
  }

  /** How to put the login back as it was before the new password, if it is not published. */
  private record Undo(String sql, String what) {
    @Override
    public String toString() {
      return what; // the SQL may carry a verifier
    }
  }

  private Undo capture(Connection admin, RenewInput in, Secret current) throws SQLException {
    String verifier = null;
    String validUntil = null;
    boolean readable = true;
    try (PreparedStatement s =
        admin.prepareStatement(
            "SELECT rolpassword, rolvaliduntil::text FROM pg_authid WHERE rolname = ?")) {
      s.setString(1, in.login());
      try (ResultSet rs = s.executeQuery()) {
        if (rs.next()) {
          verifier = rs.getString(1);
          validUntil = rs.getString(2);
        }
      }
    } catch (SQLException e) {
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      readable = false; // not a superuser: fall back to what the store knows
    }
    if (readable) {
      return new Undo(
          "ALTER ROLE "
              + quote(in.login())
              + (verifier == null
                  ? " PASSWORD NULL"
                  : " PASSWORD '" + verifier.replace("'", "''") + "'")
              + " VALID UNTIL '"
              + (validUntil == null ? "infinity" : validUntil)
              + "'",
          "its previous password and expiry");
    }
    return fallbackUndo(in, current);
  }

  /** Without pg_authid: no password (alternating), or the current version's (single). */
  private Undo fallbackUndo(RenewInput in, Secret current) {
    if (in.strategy() == RotationStrategy.ALTERNATING) {
      return new Undo("ALTER ROLE " + quote(in.login()) + " PASSWORD NULL", "no password");
    }
    String old = current == null ? null : current.data().get(PASSWORD);
    if (old == null) {
      return null;
    }
    return new Undo(
        "ALTER ROLE "
            + quote(in.login())
            + " PASSWORD '"
            + ScramVerifier.of(old.toCharArray(), random)
            + "'",
        "the password of " + in.secretPath() + "@" + current.version());
  }

  /** Puts the login back and returns the failure to throw, saying so. */
  private static RuntimeException undone(
      Connection admin, Undo undo, RenewInput in, RuntimeException failure) {
    if (undo == null) {
      log.error(
          "login {} of target {} has an unpublished password and its previous one is unknown",
          in.login(),
          in.target());
      return failure;
    }
    try {
      execute(admin, undo.sql());
      log.warn(
          "renewal of login {} on target {} failed before publication; put back {}",
          in.login(),
          in.target(),
          undo.what());
    } catch (SQLException e) {
      log.error(
          "could not put login {} of target {} back: {}", in.login(), in.target(), e.getMessage());
      failure.addSuppressed(e);
    }
    return failure;
  }

  /** Logs in as the login with its new password and reads what only the role may read. */
  private static String testLogin(
      RenewInput in, String password, ConnectionSpec spec, String probe) {
    Endpoint endpoint = new Endpoint(spec.host(), spec.port(), spec.database(), spec.sslmode());
    Properties properties = new Properties();
    properties.setProperty("user", in.login());
    properties.setProperty("password", password);
    try (Connection c = DRIVER.connect(ConfiguredConnections.jdbcUrl(endpoint), properties)) {
      try (PreparedStatement s =
          c.prepareStatement("SELECT pg_has_role(current_user, ?, 'USAGE')")) {
        s.setString(1, in.role());
        try (ResultSet rs = s.executeQuery()) {
          if (!rs.next() || !rs.getBoolean(1)) {
            throw FailureType.PERMISSION_DENIED.failure(
                "login "
                    + in.login()
                    + " logged in with its new password but does not have "
                    + in.role()
                    + "'s privileges; nothing was published and the login is put back. Fix:"
                    + " GRANT "
                    + in.role()
                    + " TO "
                    + in.login()
                    + " and ALTER ROLE "
                    + in.login()
                    + " INHERIT.");
          }
        }
      }
      if (probe == null) {
        return "logged in to " + endpoint + ", member of " + in.role();
      }
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT 1 FROM " + probe + " LIMIT 0").close();
      }
      return "logged in to " + endpoint + ", read " + probe + " as " + in.role();
    } catch (SQLException e) {
      String state = e.getSQLState();
      if ("28P01".equals(state) || "28000".equals(state)) {
        throw FailureType.AUTHENTICATION.failure(
            "login "
                + in.login()
                + " could not log in to "
                + endpoint
                + " with its new password: "
                + scrub(e.getMessage(), password)
                + " (SQLSTATE "
                + state
                + "); nothing was published and the login is put back. Fix: check that"
                + " pg_hba.conf admits "
                + in.login()
                + " from this worker with scram-sha-256.");
      }
      if ("42501".equals(state)) {
        throw FailureType.PERMISSION_DENIED.failure(
            "login "
                + in.login()
                + " logged in but may not read "
                + probe
                + ": "
                + scrub(e.getMessage(), password)
                + "; nothing was published and the login is put back. Fix: check that it"
                + " inherits "
                + in.role()
                + "'s privileges.");
      }
      throw new IllegalStateException(
          "the test login of "
              + in.login()
              + " to "
              + endpoint
              + " failed: "
              + scrub(e.getMessage(), password)
              + (state == null ? "" : " (SQLSTATE " + state + ")"));
    }
  }

  /**
   * A relation only the role's privileges make readable (not PUBLIC's), as a quoted name; null when
   * it has none.
   */
  private static String privilegeProbe(Connection admin, String role) throws SQLException {
    try (PreparedStatement s =
        admin.prepareStatement(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c"
                + " JOIN pg_namespace n ON n.oid = c.relnamespace"
                + " WHERE c.relkind IN ('r', 'p', 'v', 'm')"
                + " AND n.nspname NOT IN ('pg_catalog', 'information_schema')"
                + " AND has_schema_privilege(?, n.oid, 'USAGE')"
                + " AND has_table_privilege(?, c.oid, 'SELECT')"
                + " AND NOT has_table_privilege('public', c.oid, 'SELECT')"
                + " ORDER BY 1 LIMIT 1")) {
      s.setString(1, role);
      s.setString(2, role);
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  private int publish(RenewInput in, String password) {
    try {
      return secrets.write(
          in.secretPath(),
          Map.of(USERNAME, in.login(), PASSWORD, password),
          OptionalInt.of(in.expectedVersion()));
    } catch (SecretConflictException e) {
      throw conflict(in, e.actual());
    } catch (SecretStoreAccessDeniedException e) {
      throw e.toFailure();
    }
  }

  private static RuntimeException conflict(RenewInput in, int found) {
    return FailureType.CONFLICT.failure(
        "secret "
            + in.secretPath()
            + " is at version "
            + found
            + " where this rotation read version "
            + in.expectedVersion()
            + ": another rotation or a person wrote it meanwhile. Nothing was published by this"
            + " run. Fix: check who wrote it ('runbook list'), then rotate again.");
  }

  // ---- rollback --------------------------------------------------------------------------------

  @Override
  public String restoreLogin(RenewInput in) {
    checkRoleName(in.login());
    Secret current;
    try {
      current = current(in.secretPath());
    } catch (SecretStoreUnavailableException e) {
      if (in.strategy() == RotationStrategy.SINGLE) {
        throw e;
      }
      // The new password may or may not be published: leave the login, which only the store
      // could know the password of. The current credential was never touched.
      return "secret store unreachable ("
          + e.getMessage()
          + "): left "
          + in.login()
          + " as it is; the credential clients use was not touched";
    }
    int version = current == null ? 0 : current.version();
    if (version > in.expectedVersion() && in.login().equals(current.data().get(USERNAME))) {
      return "nothing to undo: "
          + in.login()
          + " is published as "
          + in.secretPath()
          + "@"
          + version;
    }
    if (in.strategy() == RotationStrategy.ALTERNATING && expired(in)) {
      // The renewal's own put-back already ran, or it never got as far as the new password.
      return "nothing to undo: " + in.login() + " is expired, as before the renewal";
    }
    Undo undo = fallbackUndo(in, version == in.expectedVersion() ? current : null);
    if (undo == null) {
      throw new IllegalStateException(
          "cannot put back the password of "
              + in.login()
              + " on target "
              + in.target()
              + ": the store has no version "
              + in.expectedVersion()
              + " of "
              + in.secretPath()
              + " to take it from. Fix: set its password by hand and store it there.");
    }
    try (Connection admin = connections.primary(in.target())) {
      execute(admin, undo.sql());
    } catch (SQLException e) {
      throw sqlFailure("put back login " + in.login(), in.target(), e);
    }
    log.info("put back login {} on target {}: {}", in.login(), in.target(), undo.what());
    return "put back " + in.login() + ": " + undo.what();
  }

  @Override
  public String dropCreatedLogins(DropLoginsInput in) {
    Secret current = current(in.secretPath());
    String published = current == null ? null : current.data().get(USERNAME);
    List<String> dropped = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    try (Connection admin = connections.primary(in.target())) {
      for (String login : in.logins()) {
        checkRoleName(login);
        String comment;
        try (PreparedStatement s =
            admin.prepareStatement(
                "SELECT shobj_description(oid, 'pg_authid') FROM pg_roles WHERE rolname = ?")) {
          s.setString(1, login);
          try (ResultSet rs = s.executeQuery()) {
            if (!rs.next()) {
              kept.add(login + " is gone");
              continue;
            }
            comment = rs.getString(1);
          }
        }
        if (login.equals(published)) {
          kept.add(login + " is published as " + in.secretPath() + "@" + current.version());
        } else if (!createdBy(in.createdBy()).equals(comment)) {
          kept.add(login + " was not created by this run");
        } else {
          execute(admin, "DROP ROLE " + quote(login));
          dropped.add(login);
        }
      }
    } catch (SQLException e) {
      throw sqlFailure("drop the logins " + String.join(", ", in.logins()), in.target(), e);
    }
    log.info(
        "rollback of the logins created on target {}: dropped {}; kept {}",
        in.target(),
        dropped,
        kept);
    if (dropped.isEmpty()) {
      return "nothing to undo: " + String.join("; ", kept);
    }
    return "dropped "
        + String.join(", ", dropped)
        + (kept.isEmpty() ? "" : "; " + String.join("; ", kept));
  }

  /** Whether the login's VALID UNTIL has passed: no password of it works. */
  private boolean expired(RenewInput in) {
    try (Connection admin = connections.primary(in.target());
        PreparedStatement s =
            admin.prepareStatement(
                "SELECT rolvaliduntil IS NOT NULL AND rolvaliduntil <= now() FROM pg_roles"
                    + " WHERE rolname = ?")) {
      s.setString(1, in.login());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw sqlFailure("read the expiry of login " + in.login(), in.target(), e);
    }
  }

  // ---- expire ----------------------------------------------------------------------------------

  @Override
  public ExpiredLogin expireLogin(ExpireInput in) {
    checkRoleName(in.login());
    Secret current = current(in.secretPath());
    if (current != null && in.login().equals(current.data().get(USERNAME))) {
      throw FailureType.CONFLICT.failure(
          "refusing to expire login "
              + in.login()
              + ": "
              + in.secretPath()
              + "@"
              + current.version()
              + " names it as current, so clients use it. Fix: check who wrote that version;"
              + " rotate again to move clients off it.");
    }
    try (Connection admin = connections.primary(in.target())) {
      execute(admin, "ALTER ROLE " + quote(in.login()) + " VALID UNTIL 'now'");
      int terminated;
      try (PreparedStatement s =
          admin.prepareStatement(
              "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity"
                  + " WHERE usename = ? AND pid <> pg_backend_pid()")) {
        s.setString(1, in.login());
        try (ResultSet rs = s.executeQuery()) {
          rs.next();
          terminated = rs.getInt(1);
        }
      }
      log.info(
          "expired login {} on target {}; terminated {} sessions",
          in.login(),
          in.target(),
          terminated);
      return new ExpiredLogin(in.login(), terminated);
    } catch (SQLException e) {
      throw sqlFailure("expire login " + in.login(), in.target(), e);
    }
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** The latest version of a rotated secret, or null when it does not exist yet. */
  private Secret current(String path) {
    try {
      return secrets.read(SecretRef.latest(path));
    } catch (SecretNotFoundException e) {
      return null;
    } catch (SecretStoreAccessDeniedException e) {
      throw e.toFailure();
    }
  }

  private String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static void execute(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static void checkRoleName(String role) {
    if (!RotationSecrets.ROLE_NAME.matcher(role).matches()) {
      throw FailureType.BAD_INPUT.failure(
          "\""
              + role
              + "\" is not a role name rotation accepts: expected lower-case letters, digits and"
              + " '_', starting with a letter or '_', at most 61 characters (so that "
              + "<role>_a fits PostgreSQL's 63).");
    }
  }

  private static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }

  private static String scrub(String message, String password) {
    return message == null ? "no message" : message.replace(password, "********");
  }

  /** A refused privilege is permanent; anything else is retried. */
  private RuntimeException sqlFailure(String what, String target, SQLException e) {
    String state = e.getSQLState();
    String message =
        "could not "
            + what
            + " on target "
            + target
            + " ("
            + connections.describe(target)
            + "): "
            + e.getMessage()
            + (state == null ? "" : " (SQLSTATE " + state + ")");
    if ("42501".equals(state)) {
      return FailureType.PERMISSION_DENIED.failure(
          message
              + ". Fix: the admin role needs CREATEROLE (from PostgreSQL 16 also ADMIN OPTION on"
              + " the role and its logins) and pg_signal_backend to end sessions.");
    }
    return new IllegalStateException(message, e);
  }
}
