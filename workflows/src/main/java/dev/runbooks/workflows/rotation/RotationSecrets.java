package dev.runbooks.workflows.rotation;

import java.util.regex.Pattern;

/**
 * Where a rotated credential lives in the secret store, and which login roles the alternating
 * strategy uses. Clients read {@code db/<target>/roles/<role>}: its latest version holds {@code
 * username} and {@code password}.
 */
public final class RotationSecrets {
  /** Role names rotation accepts: PostgreSQL identifiers that need no quoting, with room for _a. */
  public static final Pattern ROLE_NAME = Pattern.compile("[a-z_][a-z0-9_]{0,60}");

  /** {@code db/<target>/roles/<role>}. */
  public static String path(String target, String role) {
    return "db/" + target + "/roles/" + role;
  }

  /** The first login of the alternating pair, {@code <role>_a}. */
  public static String loginA(String role) {
    return role + "_a";
  }

  /** The second login of the alternating pair, {@code <role>_b}. */
  public static String loginB(String role) {
    return role + "_b";
  }

  private RotationSecrets() {}
}
