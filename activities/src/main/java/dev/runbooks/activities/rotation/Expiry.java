package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.postgres.Jdbc.identifier;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.workflows.rotation.ExpireInput;
import dev.runbooks.workflows.rotation.ExpiredLogin;
import dev.runbooks.workflows.shared.FailureType;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runbook's "expire" step, after the grace period: the previous login stops working and its
 * remaining sessions end, unless the store says clients still use it.
 */
final class Expiry {
  private static final Logger log = LoggerFactory.getLogger(Expiry.class);

  private final RotationContext context;

  Expiry(RotationContext context) {
    this.context = context;
  }

  ExpiredLogin expire(ExpireInput in) {
    RotationContext.checkRoleName(in.login());
    Secret current = context.current(in.secretPath());
    if (in.login().equals(RotationContext.username(current))) {
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
    try (Connection admin = context.connections.primary(in.target())) {
      Jdbc.execute(admin, "ALTER ROLE " + identifier(in.login()) + " VALID UNTIL 'now'");
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
      throw context.sqlFailure("expire login " + in.login(), in.target(), e);
    }
  }
}
