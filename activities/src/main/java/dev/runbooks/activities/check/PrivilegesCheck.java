package dev.runbooks.activities.check;

import static dev.runbooks.workflows.check.Severity.WARN;

import dev.runbooks.workflows.check.Finding;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether the admin role has the privileges the runbooks need (CREATEROLE, REPLICATION,
 * pg_monitor).
 */
final class PrivilegesCheck {
  static final String NAME = "privileges";

  private PrivilegesCheck() {}

  static List<Finding> run(Connection c) throws SQLException {
    try (Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery(
                "SELECT quote_ident(r.rolname), r.rolsuper, r.rolcreaterole,"
                    + " r.rolreplication,"
                    + " pg_has_role(current_user, 'pg_monitor', 'USAGE')"
                    + " OR pg_has_role(current_user, 'pg_read_all_stats', 'USAGE')"
                    + " FROM pg_roles r WHERE r.rolname = current_user")) {
      rs.next();
      String role = rs.getString(1);
      if (rs.getBoolean(2)) {
        return List.of(
            Finding.ok(
                NAME,
                "admin role "
                    + role
                    + " is a superuser: it has every privilege the runbooks"
                    + " need"));
      }
      List<String> missing = new ArrayList<>();
      List<String> alter = new ArrayList<>();
      List<String> details = new ArrayList<>();
      if (!rs.getBoolean(3)) {
        missing.add("CREATEROLE");
        alter.add("CREATEROLE");
        details.add("CREATEROLE: credential rotation changes login roles' passwords");
      }
      if (!rs.getBoolean(4)) {
        missing.add("REPLICATION");
        alter.add("REPLICATION");
        details.add(
            "REPLICATION: replication connections (pg_basebackup) that build and rebuild"
                + " replicas");
      }
      boolean monitor = rs.getBoolean(5);
      if (!monitor) {
        missing.add("pg_monitor");
        details.add(
            "pg_monitor (or pg_read_all_stats): reading every session in pg_stat_activity"
                + " and replication statistics (pg_stat_replication, pg_stat_wal_receiver)");
      }
      if (missing.isEmpty()) {
        return List.of(
            Finding.ok(NAME, "admin role " + role + " has CREATEROLE, REPLICATION and pg_monitor"));
      }
      List<String> statements = new ArrayList<>();
      if (!alter.isEmpty()) {
        statements.add("ALTER ROLE " + role + " " + String.join(" ", alter) + ";");
      }
      if (!monitor) {
        statements.add("GRANT pg_monitor TO " + role + ";");
      }
      return List.of(
          new Finding(
              NAME,
              WARN,
              "admin role " + role + " lacks " + String.join(", ", missing),
              "As a superuser, run: " + String.join(" ", statements),
              details));
    }
  }
}
