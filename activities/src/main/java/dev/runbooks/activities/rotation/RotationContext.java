package dev.runbooks.activities.rotation;

import dev.runbooks.activities.postgres.SqlFaults;
import dev.runbooks.activities.postgres.TargetConnections;
import dev.runbooks.activities.secrets.Secret;
import dev.runbooks.activities.secrets.SecretNotFoundException;
import dev.runbooks.activities.secrets.SecretStore;
import dev.runbooks.activities.secrets.SecretStoreAccessDeniedException;
import dev.runbooks.workflows.rotation.RotationSecrets;
import dev.runbooks.workflows.shared.FailureType;
import dev.runbooks.workflows.shared.SecretRef;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.util.Base64;
import java.util.Objects;

/** What every stage of a rotation works with: the target's server, the store, the randomness. */
final class RotationContext {
  static final String USERNAME = "username";
  static final String PASSWORD = "password";

  /** 32 random bytes, base64url: 43 characters, 256 bits. */
  private static final int PASSWORD_BYTES = 32;

  /** What the admin role needs for everything rotation does, said when the server refuses it. */
  private static final String PRIVILEGE_FIX =
      "Fix: the admin role needs CREATEROLE (from PostgreSQL 16 also ADMIN OPTION on the role and"
          + " its logins) and pg_signal_backend to end sessions.";

  final TargetConnections connections;
  final SecretStore secrets;
  final RotationTargets targets;
  final SecureRandom random = new SecureRandom();

  RotationContext(TargetConnections connections, SecretStore secrets, RotationTargets targets) {
    this.connections = Objects.requireNonNull(connections, "connections");
    this.secrets = Objects.requireNonNull(secrets, "secrets");
    this.targets = Objects.requireNonNull(targets, "targets");
  }

  /** The latest version of a rotated secret, or null when it does not exist yet. */
  Secret current(String path) {
    try {
      return secrets.read(SecretRef.latest(path));
    } catch (SecretNotFoundException e) {
      return null;
    } catch (SecretStoreAccessDeniedException e) {
      throw e.toFailure();
    }
  }

  /** The login the secret's version names, or null. */
  static String username(Secret secret) {
    return secret == null ? null : secret.data().get(USERNAME);
  }

  String newPassword() {
    byte[] bytes = new byte[PASSWORD_BYTES];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * The failure for a database error while doing {@code what} on {@code target}, by the one rule of
   * {@link SqlFaults}; a refused privilege says what the admin role needs.
   */
  RuntimeException sqlFailure(String what, String target, SQLException e) {
    return SqlFaults.classify(
        e,
        what + " on target " + target + " (" + connections.describe(target) + ")",
        "42501".equals(e.getSQLState()) ? PRIVILEGE_FIX : "");
  }

  static void checkRoleName(String role) {
    if (!RotationSecrets.ROLE_NAME.matcher(role).matches()) {
      throw FailureType.BAD_INPUT.failure(
          "\""
              + role
              + "\" is not a role name rotation accepts: expected lower-case letters, digits and"
              + " '_', starting with a letter or '_', at most 61 characters (so that "
              + "<role>_a fits PostgreSQL's 63).");
    }
  }

  static String scrub(String message, String password) {
    return message == null ? "no message" : message.replace(password, "********");
  }
}
