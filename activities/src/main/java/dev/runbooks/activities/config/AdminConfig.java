package dev.runbooks.activities.config;

import dev.runbooks.workflows.shared.SecretRef;

/**
 * How the runbooks log in to a target: exactly one of a secret (holding the keys {@code username}
 * and {@code password}) or a user name for trust or peer authentication.
 *
 * @param secret the admin secret, or null
 * @param user a role that logs in without a password, or null
 */
public record AdminConfig(SecretRef secret, String user) {
  public AdminConfig {
    if ((secret == null) == (user == null)) {
      throw new IllegalArgumentException("exactly one of secret and user");
    }
  }

  public static AdminConfig ofSecret(SecretRef secret) {
    return new AdminConfig(secret, null);
  }

  public static AdminConfig ofUser(String user) {
    return new AdminConfig(null, user);
  }
}
