package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.rotation.RotationContext.scrub;

import dev.runbooks.activities.config.Endpoint;
import dev.runbooks.activities.postgres.ConfiguredConnections;
import dev.runbooks.activities.postgres.ConnectionSpec;
import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.Driver;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Properties;

/**
 * The proof that a new password works before it is published: a real login with it that checks
 * membership of the role and reads a relation only the role's privileges make readable.
 */
final class TestLogin {
  private static final Driver DRIVER = new org.postgresql.Driver();

  private TestLogin() {}

  /**
   * A relation only the role's privileges make readable (not PUBLIC's), as a quoted name; null when
   * it has none.
   */
  static String privilegeProbe(Connection admin, String role) throws SQLException {
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

  /** Logs in as the login with its new password and reads what only the role may read. */
  static String run(RenewInput in, String password, ConnectionSpec spec, String probe) {
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
      throw failure(in, endpoint, probe, password, e);
    }
  }

  private static RuntimeException failure(
      RenewInput in, Endpoint endpoint, String probe, String password, SQLException e) {
    String state = e.getSQLState();
    String message = scrub(e.getMessage(), password);
    if ("28P01".equals(state) || "28000".equals(state)) {
      return FailureType.AUTHENTICATION.failure(
          "login "
              + in.login()
              + " could not log in to "
              + endpoint
              + " with its new password: "
              + message
              + " (SQLSTATE "
              + state
              + "); nothing was published and the login is put back. Fix: check that"
              + " pg_hba.conf admits "
              + in.login()
              + " from this worker with scram-sha-256.");
    }
    if ("42501".equals(state)) {
      return FailureType.PERMISSION_DENIED.failure(
          "login "
              + in.login()
              + " logged in but may not read "
              + probe
              + ": "
              + message
              + "; nothing was published and the login is put back. Fix: check that it"
              + " inherits "
              + in.role()
              + "'s privileges.");
    }
    // The driver's message is scrubbed and its exception left out: neither may carry the password.
    return SqlFaults.classify(
        new SQLException(message, state),
        "make the test login of " + in.login() + " to " + endpoint);
  }
}
