package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.postgres.Jdbc.identifier;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RotationStrategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Putting a login back as it was before its new password, when that password is not published: what
 * the renewal captures before it changes the login, and what the rollback falls back to.
 */
final class PutBack {
  private static final Logger log = LoggerFactory.getLogger(PutBack.class);

  /** How to put the login back; the SQL may carry a verifier, so only {@code what} is shown. */
  record Undo(String sql, String what) {
    @Override
    public String toString() {
      return what;
    }
  }

  private final RotationContext context;

  PutBack(RotationContext context) {
    this.context = context;
  }

  /** The login's verifier and expiry as they are now, or the fallback without pg_authid. */
  Undo capture(Connection admin, RenewInput in, Secret current) throws SQLException {
    String verifier = null;
    String validUntil = null;
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
      // 42501: not a superuser, so pg_authid is closed; fall back to what the store knows.
      if (!"42501".equals(e.getSQLState())) {
        throw e;
      }
      return fallback(in, current);
    }
    return new Undo(
        "ALTER ROLE "
            + identifier(in.login())
            + (verifier == null ? " PASSWORD NULL" : " PASSWORD " + Jdbc.literal(verifier))
            + " VALID UNTIL '"
            + (validUntil == null ? "infinity" : validUntil)
            + "'",
        "its previous password and expiry");
  }

  /** Without pg_authid: no password (alternating), or the current version's (single). */
  Undo fallback(RenewInput in, Secret current) {
    if (in.strategy() == RotationStrategy.ALTERNATING) {
      return new Undo("ALTER ROLE " + identifier(in.login()) + " PASSWORD NULL", "no password");
    }
    String old = current == null ? null : current.data().get(RotationContext.PASSWORD);
    if (old == null) {
      return null;
    }
    return new Undo(
        "ALTER ROLE "
            + identifier(in.login())
            + " PASSWORD '"
            + ScramVerifier.of(old.toCharArray(), context.random)
            + "'",
        "the password of " + in.secretPath() + "@" + current.version());
  }

  /** Puts the login back and returns the failure to throw, saying so. */
  static RuntimeException undone(
      Connection admin, Undo undo, RenewInput in, RuntimeException failure) {
    if (undo == null) {
      log.error(
          "login {} of target {} has an unpublished password and its previous one is unknown",
          in.login(),
          in.target());
      return failure;
    }
    try {
      Jdbc.execute(admin, undo.sql());
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
}
