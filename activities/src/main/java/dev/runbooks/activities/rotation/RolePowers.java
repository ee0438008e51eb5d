package dev.runbooks.activities.rotation;

import dev.runbooks.activities.config.RotationConfig;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.rotation.RotationStrategy;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What a rotated password could do beyond the application's privileges. A rotation publishes a
 * password that logs in with the rotated role's powers, and a member can {@code SET ROLE} to every
 * role it belongs to, so the role's own attributes and those of every role it is a member of
 * (directly or through others) are read; the predefined roles that read or write the server's files
 * or run its programs count as SUPERUSER.
 */
final class RolePowers {
  /** Predefined roles the PostgreSQL documentation calls equivalent to a superuser. */
  static final List<String> SUPERUSER_EQUIVALENT =
      List.of("pg_execute_server_program", "pg_read_server_files", "pg_write_server_files");

  private static final String ATTRIBUTES =
      "rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls";

  private static final List<String> NAMES =
      List.of("SUPERUSER", "CREATEROLE", "CREATEDB", "REPLICATION", "BYPASSRLS");

  private RolePowers() {}

  /**
   * Refuses, before anything is changed, a role whose published password would carry more than the
   * application's privileges.
   *
   * @param role the role whose password is published (the rotated role, or a login of the pair)
   * @param group the rotated role, as the operator named it
   * @param loginAllowed whether the role may log in itself (single strategy, a login of the pair)
   * @param allowed the attributes the target's configuration allows
   */
  static void check(
      Connection admin,
      String target,
      String role,
      String group,
      RotationStrategy strategy,
      boolean loginAllowed,
      Set<String> allowed)
      throws SQLException {
    List<String> own = new ArrayList<>();
    List<Group> groups = new ArrayList<>();
    try (PreparedStatement s =
        admin.prepareStatement(
            "SELECT rolcanlogin, " + ATTRIBUTES + " FROM pg_roles WHERE rolname = ?")) {
      s.setString(1, role);
      try (ResultSet rs = s.executeQuery()) {
        if (!rs.next()) {
          return;
        }
        own.addAll(refused(rs, 2, allowed));
        if (rs.getBoolean(1) && !loginAllowed) {
          own.add("LOGIN");
        }
      }
    }
    try (PreparedStatement s =
        admin.prepareStatement(
            "WITH RECURSIVE m(roleid) AS ("
                + " SELECT a.roleid FROM pg_auth_members a JOIN pg_roles r ON r.oid = a.member"
                + " WHERE r.rolname = ?"
                + " UNION SELECT a.roleid FROM pg_auth_members a JOIN m ON a.member = m.roleid)"
                + " SELECT g.rolname, "
                + ATTRIBUTES
                + " FROM pg_roles g JOIN m ON g.oid = m.roleid ORDER BY 1")) {
      s.setString(1, role);
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          List<String> powers = refused(rs, 2, allowed);
          if (SUPERUSER_EQUIVALENT.contains(rs.getString(1)) && !powers.contains("SUPERUSER")) {
            powers.add(0, "equivalent to SUPERUSER");
          }
          if (!powers.isEmpty()) {
            groups.add(new Group(rs.getString(1), powers));
          }
        }
      }
    }
    if (!own.isEmpty() || !groups.isEmpty()) {
      throw FailureType.BAD_INPUT.failure(message(target, role, group, strategy, own, groups));
    }
  }

  /** A role the rotated one is a member of, with the powers it would lend. */
  private record Group(String name, List<String> powers) {
    @Override
    public String toString() {
      return "is a member of " + name + " (" + String.join(", ", powers) + ")";
    }
  }

  /** The attributes of the row at {@code first..} that the configuration does not allow. */
  private static List<String> refused(ResultSet rs, int first, Set<String> allowed)
      throws SQLException {
    List<String> powers = new ArrayList<>();
    for (int i = 0; i < NAMES.size(); i++) {
      String name = NAMES.get(i);
      if (rs.getBoolean(first + i) && (name.equals("SUPERUSER") || !allowed.contains(name))) {
        powers.add(name);
      }
    }
    return powers;
  }

  private static String message(
      String target,
      String role,
      String group,
      RotationStrategy strategy,
      List<String> own,
      List<Group> groups) {
    List<String> found = new ArrayList<>();
    if (!own.isEmpty()) {
      found.add("has " + String.join(", ", own));
    }
    groups.forEach(g -> found.add(g.toString()));
    List<String> fixes = new ArrayList<>();
    boolean superuser =
        own.contains("SUPERUSER")
            || groups.stream().anyMatch(g -> String.join(" ", g.powers()).contains("SUPERUSER"));
    if (superuser) {
      fixes.add(
          "rotate the application's own role instead; a superuser, or a role that can become one,"
              + " is never rotated by a runbook: change its password by hand and keep it out of"
              + " the secret store clients read");
    }
    if (!superuser && own.contains("LOGIN")) {
      fixes.add(
          "rotate a login role with --strategy single; the alternating strategy rotates a NOLOGIN"
              + " group role holding the application's privileges (CREATE ROLE app NOLOGIN; GRANT"
              + " them TO app), whose logins "
              + RotationSecrets.loginA(group)
              + " and "
              + RotationSecrets.loginB(group)
              + " it makes itself");
    }
    List<String> ownAllowable = new ArrayList<>(own);
    ownAllowable.retainAll(RotationConfig.ALLOWABLE);
    if (!superuser && !ownAllowable.isEmpty()) {
      fixes.add(
          "take away what the application does not need: ALTER ROLE "
              + role
              + " NO"
              + String.join(" NO", ownAllowable));
    }
    for (Group g : own.contains("SUPERUSER") ? List.<Group>of() : groups) {
      fixes.add("REVOKE " + g.name() + " FROM " + role);
    }
    Set<String> allowable = new LinkedHashSet<>(ownAllowable);
    groups.forEach(g -> allowable.addAll(g.powers()));
    allowable.retainAll(RotationConfig.ALLOWABLE);
    if (!superuser && !allowable.isEmpty()) {
      fixes.add(
          "if the application needs "
              + String.join(", ", allowable)
              + ", allow it by name under targets."
              + target
              + ": rotation: { allowRoleAttributes: ["
              + String.join(", ", allowable)
              + "] }");
    }
    return "role \""
        + role
        + "\" on target "
        + target
        + " "
        + String.join("; ", found)
        + ": a rotation publishes a password that logs in with these powers, so it rotates only"
        + (strategy == RotationStrategy.SINGLE ? " a login role" : " a NOLOGIN group role")
        + " without SUPERUSER, REPLICATION, BYPASSRLS, CREATEROLE or CREATEDB (unless the target"
        + " allows them) that is no member of a role with them. Nothing was changed. Fix: "
        + String.join("; ", fixes)
        + ".";
  }
}
