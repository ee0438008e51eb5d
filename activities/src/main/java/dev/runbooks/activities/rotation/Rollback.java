package dev.runbooks.activities.rotation;

import static dev.runbooks.activities.postgres.Jdbc.identifier;

import dev.runbooks.activities.postgres.Jdbc;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretStoreUnavailableException;
import dev.runbooks.workflows.rotation.DropLoginsInput;
import dev.runbooks.workflows.rotation.RenewInput;
import dev.runbooks.workflows.rotation.RotationStrategy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The workflow's rollback of a rotation that did not publish: the renewed login is put back, then
 * the logins prepare created are dropped. Both read the store again first and never touch a login
 * it publishes, so they can run after an attempt that died halfway, and twice.
 */
final class Rollback {
  private static final Logger log = LoggerFactory.getLogger(Rollback.class);

  private final RotationContext context;
  private final PutBack putBack;

  Rollback(RotationContext context, PutBack putBack) {
    this.context = context;
    this.putBack = putBack;
  }

  String restoreLogin(RenewInput in) {
    RotationContext.checkRoleName(in.login());
    Secret current;
    try {
      current = context.current(in.secretPath());
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
    if (version > in.expectedVersion() && in.login().equals(RotationContext.username(current))) {
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
    PutBack.Undo undo = putBack.fallback(in, version == in.expectedVersion() ? current : null);
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
    try (Connection admin = context.connections.primary(in.target())) {
      Jdbc.execute(admin, undo.sql());
    } catch (SQLException e) {
      throw context.sqlFailure("put back login " + in.login(), in.target(), e);
    }
    log.info("put back login {} on target {}: {}", in.login(), in.target(), undo.what());
    return "put back " + in.login() + ": " + undo.what();
  }

  /** Whether the login's VALID UNTIL has passed: no password of it works. */
  private boolean expired(RenewInput in) {
    try (Connection admin = context.connections.primary(in.target());
        PreparedStatement s =
            admin.prepareStatement(
                "SELECT rolvaliduntil IS NOT NULL AND rolvaliduntil <= now() FROM pg_roles"
                    + " WHERE rolname = ?")) {
      s.setString(1, in.login());
      try (ResultSet rs = s.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    } catch (SQLException e) {
      throw context.sqlFailure("read the expiry of login " + in.login(), in.target(), e);
    }
  }

  /** Drops the logins prepare created and marked as its own, unless the store publishes one. */
  String dropCreatedLogins(DropLoginsInput in) {
    Secret current;
    try {
      current = context.current(in.secretPath());
    } catch (SecretStoreUnavailableException e) {
      // The renewed login may be published without an answer having come back: like the
      // put-back, leave the logins to a later rotation, which finds and reuses them.
      return "secret store unreachable ("
          + e.getMessage()
          + "): left "
          + String.join(", ", in.logins())
          + " as they are; a later rotation uses them";
    }
    String published = RotationContext.username(current);
    List<String> dropped = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    try (Connection admin = context.connections.primary(in.target())) {
      for (String login : in.logins()) {
        RotationContext.checkRoleName(login);
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
        } else if (!Preparation.createdBy(in.createdBy()).equals(comment)) {
          kept.add(login + " was not created by this run");
        } else {
          Jdbc.execute(admin, "DROP ROLE " + identifier(login));
          dropped.add(login);
        }
      }
    } catch (SQLException e) {
      throw context.sqlFailure("drop the logins " + String.join(", ", in.logins()), in.target(), e);
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
}
