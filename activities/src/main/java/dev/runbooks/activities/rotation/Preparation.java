package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.postgres.Jdbc.execute;
import static dev.runbooks.activities.postgres.Jdbc.identifier;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.workflows.rotation.LoginPlan;
import dev.runbooks.workflows.rotation.RotationInput;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's "prepare" step: the role exists and may be rotated, the alternating pair's logins
 * exist (created here, as members of the role, on the first rotation), and the login to renew is
 * the one the secret does not name. Every check comes before the first change.
 */
final class Preparation {
  private static final Logger log = LoggerFactory.getLogger(Preparation.class);

  private final RotationContext context;

  Preparation(RotationContext context) {
    this.context = context;
  }

  LoginPlan prepare(RotationInput in) {
    RotationContext.checkRoleName(in.role());
    String path = RotationSecrets.path(in.target(), in.role());
    Secret current = context.current(path);
    int version = current == null ? 0 : current.version();
    String currentLogin = RotationContext.username(current);
    try (Connection admin = context.connections.primary(in.target())) {
      RoleState role = roleState(admin, in.role(), in.role());
      if (role == null) {
        throw notFound(in);
      }
      boolean single = in.strategy() == RotationStrategy.SINGLE;
      if (single && !role.canLogin()) {
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
      Set<String> allowed = context.targets.allowedRoleAttributes(in.target());
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
      throw context.sqlFailure("prepare the logins of role " + in.role(), in.target(), e);
    }
  }

  /** What marks a login as made by the prepare call with this idempotency key. */
  static String createdBy(String idempotencyKey) {
    return "created by runbook rotation " + idempotencyKey;
  }

  private RuntimeException notFound(RotationInput in) {
    return FailureType.NOT_FOUND.failure(
        "role \""
            + in.role()
            + "\" does not exist on target "
            + in.target()
            + " ("
            + context.connections.describe(in.target())
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

  /**
   * Creates the login as a member of the role, marked with this call's key so that the rollback
   * knows it made it; true when it did, false when another attempt made it in between.
   */
  private static boolean createLogin(Connection admin, RotationInput in, String login)
      throws SQLException {
    boolean autoCommit = admin.getAutoCommit();
    admin.setAutoCommit(false);
    try {
      execute(
          admin,
          "CREATE ROLE " + identifier(login) + " LOGIN INHERIT IN ROLE " + identifier(in.role()));
      execute(
          admin,
          "COMMENT ON ROLE "
              + identifier(login)
              + " IS "
              + Jdbc.literal(createdBy(in.idempotencyKey())));
      admin.commit();
      log.info("created login {} as a member of {} on target {}", login, in.role(), in.target());
      return true;
    } catch (SQLException e) {
      admin.rollback();
      // 42710 duplicate object: another attempt created it in between; anything else is a fault.
      if (!"42710".equals(e.getSQLState())) {
        throw e;
      }
    } finally {
      admin.setAutoCommit(autoCommit);
    }
    RoleState state = roleState(admin, login, in.role());
    if (state == null) {
      throw new SQLException("login " + login + " was created and dropped meanwhile", "40001");
    }
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
}
