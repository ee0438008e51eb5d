package dev.runbooks.activities.rotation;

import dev.runbooks.activities.config.ConfigException;
import dev.runbooks.activities.config.RunbooksConfig;
import dev.runbooks.workflows.shared.FailureType;
import java.util.Set;

/** What the rotation activities need to know about a target besides how to connect to it. */
public interface RotationTargets {
  /**
   * The role attributes (CREATEDB, CREATEROLE, REPLICATION, BYPASSRLS) a rotated role of {@code
   * target} may have: the target's {@code rotation.allowRoleAttributes}.
   */
  Set<String> allowedRoleAttributes(String target);

  /** Allows no attribute on any target. */
  static RotationTargets strict() {
    return target -> Set.of();
  }

  /** From {@code runbooks.yaml}. */
  static RotationTargets fromConfig(RunbooksConfig config) {
    return target -> {
      try {
        return config.target(target).rotation().allowRoleAttributes();
      } catch (ConfigException e) {
        throw FailureType.BAD_INPUT.failure(e.getMessage());
      }
    };
  }
}
