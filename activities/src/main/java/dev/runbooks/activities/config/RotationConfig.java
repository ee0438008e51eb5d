package dev.runbooks.activities.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A target's {@code rotation:} settings.
 *
 * @param allowRoleAttributes role attributes a rotated role may have (or get through a role it is a
 *     member of) because the application needs them, for example {@code CREATEDB}; SUPERUSER can
 *     never be allowed
 */
public record RotationConfig(Set<String> allowRoleAttributes) {
  /** The attributes {@code allowRoleAttributes} may name. */
  public static final List<String> ALLOWABLE =
      List.of("CREATEDB", "CREATEROLE", "REPLICATION", "BYPASSRLS");

  public RotationConfig {
    allowRoleAttributes = Set.copyOf(allowRoleAttributes);
  }

  public static RotationConfig defaults() {
    return new RotationConfig(Set.of());
  }

  /**
   * From the names as written, in any case.
   *
   * @throws IllegalArgumentException naming the attribute that cannot be allowed
   */
  public static RotationConfig of(List<String> names) {
    List<String> allowed = new ArrayList<>();
    for (String name : names == null ? List.<String>of() : names) {
      String upper = name == null ? "" : name.strip().toUpperCase(Locale.ROOT);
      if (!ALLOWABLE.contains(upper)) {
        throw new IllegalArgumentException(
            "\""
                + name
                + "\" is not a role attribute rotation can allow; expected one of "
                + String.join(", ", ALLOWABLE)
                + (upper.equals("SUPERUSER")
                    ? " (a superuser's password is never published by a rotation)"
                    : ""));
      }
      allowed.add(upper);
    }
    return new RotationConfig(Set.copyOf(allowed));
  }
}
